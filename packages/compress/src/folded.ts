/**
 * An eval-only ST-GCN classifier with every BatchNorm that follows a convolution folded into it
 * (tcn.3 into the temporal conv, residual.1 into the residual conv), edge importance multiplied into
 * each block's adjacency, and plain-array forward passes: 'float' (the folded float model, which equals
 * the original in eval mode) and 'int8' (each conv / linear quantises its input with a calibrated
 * per-tensor scale and runs the int8 kernel). data_bn, the BN + ReLU after the graph aggregation, the
 * aggregation itself and the pooling stay in float: they are elementwise or tiny.
 */
import {
  type BatchNorm1d,
  type BatchNorm2d,
  batchNormAffine,
  type Conv2d,
  foldBatchNorm,
} from '@asma/autodiff';
import { graphAggForwardCpu, tconvOutLength } from '@asma/kernels';
import { type ActionClassifier, type LayerPlan, layerPlan, unknownLayer } from '@asma/trainer';
import { floatConv, type Int8ConvArgs, int8Conv, quantizeInto } from './int8-kernels.js';

export interface ConvLayer {
  cin: number;
  cout: number;
  kt: number;
  stride: number;
  pad: number;
  /** Folded float weights (cout, cin, kt). */
  w: Float32Array;
  bias: Float32Array;
  /** Set by quantisation: int8 weights, per-output-channel scales, the input activation scale. */
  wq?: Int8Array;
  wScale?: Float32Array;
  xScale?: number;
}

export interface Affine {
  scale: Float32Array;
  shift: Float32Array;
}

export interface FoldedBlock {
  out: number;
  gcn: ConvLayer;
  bn0: Affine;
  tcn: ConvLayer;
  residual: 'none' | 'identity' | ConvLayer;
  /** (K, V, V) adjacency times edge importance. */
  adjacency: Float32Array;
}

export interface FoldedClassifier {
  inChannels: number;
  numJoints: number;
  k: number;
  classes: number;
  dataBn: Affine;
  blocks: FoldedBlock[];
  fc: ConvLayer;
}

export type ForwardMode = 'float' | 'int8';

/** Called with every quantised layer's input (layer id, values) in float mode: calibration hooks here. */
export type ActivationObserver = (layer: string, x: Float32Array) => void;

function bnAffine(bn: BatchNorm1d | BatchNorm2d): Affine {
  const { scale, shift } = batchNormAffine(bn);
  return { scale: Float32Array.from(scale), shift: Float32Array.from(shift) };
}

function convLayer(conv: Conv2d, bn: BatchNorm2d | null): ConvLayer {
  const cout = conv.outChannels;
  const folded = bn === null ? { weight: conv.weight, bias: conv.bias } : foldBatchNorm(conv, bn);
  const w = Float32Array.from(folded.weight.data);
  const bias = folded.bias ? Float32Array.from(folded.bias.data) : new Float32Array(cout);
  return { cin: conv.inChannels, cout, kt: conv.kernelSize, stride: conv.stride, pad: conv.padding, w, bias };
}

/** Fold a trained classifier (its eval-mode statistics) into plain arrays, reading its layer plan. */
export function foldClassifier(model: ActionClassifier): FoldedClassifier {
  return foldPlan(layerPlan(model));
}

/** Fold a layer plan: BN after a conv goes into the conv, the other BNs become affines. */
export function foldPlan(plan: LayerPlan): FoldedClassifier {
  let dataBn: Affine | null = null;
  let fc: ConvLayer | null = null;
  const blocks: FoldedBlock[] = [];
  for (const l of plan.layers) {
    if (l.kind === 'dataNorm') dataBn = bnAffine(l.bn.module);
    else if (l.kind === 'block') {
      const r = l.residual;
      blocks.push({
        out: l.outChannels,
        gcn: convLayer(l.graphConv.conv.module, null),
        bn0: bnAffine(l.norm.module),
        tcn: convLayer(l.temporalConv.conv.module, l.temporalConv.bn.module),
        residual: r.kind === 'conv' ? convLayer(r.conv.module, r.bn.module) : r.kind,
        adjacency: Float32Array.from(l.graphConv.adjacency),
      });
    } else if (l.kind === 'pool')
      continue; // foldedForward pools before the head
    else if (l.kind === 'linear') {
      const lin = l.linear.module;
      fc = {
        cin: lin.inFeatures,
        cout: lin.outFeatures,
        kt: 1,
        stride: 1,
        pad: 0,
        w: Float32Array.from(lin.weight.data),
        bias: lin.bias ? Float32Array.from(lin.bias.data) : new Float32Array(lin.outFeatures),
      };
    } else unknownLayer(l);
  }
  if (dataBn === null || fc === null || blocks.length === 0)
    throw new Error('foldPlan: the plan needs a data norm, at least one block and a linear head');
  return {
    inChannels: plan.inChannels,
    numJoints: plan.numJoints,
    k: plan.k,
    classes: plan.classes,
    dataBn,
    blocks,
    fc,
  };
}

/** Run one conv layer in float or int8 over x (n, cin, t, v); returns (n, cout, tout, v). */
function runConv(
  layer: ConvLayer,
  id: string,
  x: Float32Array,
  n: number,
  t: number,
  v: number,
  mode: ForwardMode,
  observe?: ActivationObserver,
): { y: Float32Array; t: number } {
  const args: Int8ConvArgs = {
    n,
    cin: layer.cin,
    cout: layer.cout,
    t,
    v,
    kt: layer.kt,
    stride: layer.stride,
    pad: layer.pad,
  };
  const tout = tconvOutLength({ t, kt: layer.kt, stride: layer.stride, pad: layer.pad });
  const y = new Float32Array(n * layer.cout * tout * v);
  if (mode === 'float') {
    observe?.(id, x);
    floatConv(y, x, layer.w, layer.bias, args);
  } else {
    if (layer.wq === undefined || layer.wScale === undefined || layer.xScale === undefined)
      throw new Error(`int8 forward: layer ${id} is not quantised (run quantizeClassifier first)`);
    const xq = new Int8Array(x.length);
    quantizeInto(xq, x, layer.xScale);
    int8Conv(y, xq, layer.xScale, layer.wq, layer.wScale, layer.bias, args, new Int32Array(4 * tout * v));
  }
  return { y, t: tout };
}

/** Eval-mode logits (N, classes) of clips x (N, C, T, V, M). */
export function foldedForward(
  m: FoldedClassifier,
  x: Float32Array,
  shape: readonly number[],
  mode: ForwardMode = 'float',
  observe?: ActivationObserver,
): Float32Array {
  const [n, c, t0, v, persons] = shape as [number, number, number, number, number];
  if (shape.length !== 5 || c !== m.inChannels || v !== m.numJoints || x.length !== n * c * t0 * v * persons)
    throw new RangeError(
      `folded ST-GCN: input must be (N, ${m.inChannels}, T, ${m.numJoints}, M), got [${shape.join(', ')}]`,
    );
  const nm = n * persons;
  // data_bn over the (N*M, V*C, T) view (channel v*C + c), laid out as (N*M, C, T, V).
  let h: Float32Array = new Float32Array(nm * c * t0 * v);
  for (let ni = 0; ni < n; ni++)
    for (let ci = 0; ci < c; ci++)
      for (let ti = 0; ti < t0; ti++)
        for (let vi = 0; vi < v; vi++)
          for (let mi = 0; mi < persons; mi++) {
            const ch = vi * c + ci;
            const val = x[(((ni * c + ci) * t0 + ti) * v + vi) * persons + mi]!;
            h[(((ni * persons + mi) * c + ci) * t0 + ti) * v + vi] =
              val * m.dataBn.scale[ch]! + m.dataBn.shift[ch]!;
          }
  let t = t0;
  m.blocks.forEach((b, i) => {
    const g = runConv(b.gcn, `${i}.gcn`, h, nm, t, v, mode, observe).y; // (nm, K*out, t, v)
    const agg = new Float32Array(nm * b.out * t * v);
    graphAggForwardCpu(agg, g, b.adjacency, { n: nm, k: m.k, c: b.out, t, v, w: v });
    const plane = t * v;
    for (let q = 0; q < nm * b.out; q++) {
      const ch = q % b.out;
      const s = b.bn0.scale[ch]!;
      const sh = b.bn0.shift[ch]!;
      for (let j = q * plane; j < (q + 1) * plane; j++) {
        const val = agg[j]! * s + sh;
        agg[j] = Math.max(val, 0);
      }
    }
    const { y, t: tout } = runConv(b.tcn, `${i}.tcn`, agg, nm, t, v, mode, observe);
    if (b.residual === 'identity') for (let j = 0; j < y.length; j++) y[j]! += h[j]!;
    else if (b.residual !== 'none') {
      const r = runConv(b.residual, `${i}.residual`, h, nm, t, v, mode, observe).y;
      for (let j = 0; j < y.length; j++) y[j]! += r[j]!;
    }
    for (let j = 0; j < y.length; j++) if (y[j]! < 0) y[j] = 0;
    h = y;
    t = tout;
  });
  // Mean over (T, V), then over the persons.
  const d = m.blocks[m.blocks.length - 1]!.out;
  const pooled = new Float32Array(n * d);
  const plane = t * v;
  for (let q = 0; q < nm * d; q++) {
    let s = 0;
    for (let j = q * plane; j < (q + 1) * plane; j++) s += h[j]!;
    const ni = Math.floor(q / (persons * d));
    pooled[ni * d + (q % d)]! += s / plane / persons;
  }
  return runConv(m.fc, 'fc', pooled, n, 1, 1, mode, observe).y;
}
