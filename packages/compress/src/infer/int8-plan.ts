/**
 * The compiled int8 inference plan: the quantised model of quantizeClassifier, computed as the int8
 * reference (foldedForward 'int8') computes it, on @asma/kernels' inference module (WebAssembly SIMD):
 * every convolution in the int8 kernel (weights packed once as int16 pairs, eight multiply-adds per
 * instruction, requantisation fused into the epilogue with the residual add and ReLU), every buffer
 * planned once in the module's memory. Each conv quantises its input with its calibrated scale in SIMD
 * (the same integers as quantizeInto). The graph aggregation (over the adjacency's nonzeros, BN shift
 * and ReLU fused) and the pooling stay float as in the reference, and the tiny classifier head runs the
 * reference's int8 loop. One thread, no allocation per call, browser-safe.
 */
import {
  type ConvEpilogue,
  type ConvShape,
  convEdgeBytes,
  convInputBytes,
  convSimd,
  convTileFor,
  convWeightBytes,
  packInt8Weights,
  quantizeInt8Input,
  tconvOutLength,
} from '@asma/kernels';
import type { ConvLayer, FoldedClassifier } from '../folded.js';
import { int8Conv as int8ConvRef, quantizeInto } from '../int8-kernels.js';
import { blockEpilogue, meanPlanes, PlanMemory, planAggregation } from './memory.js';
import { checkClips, dataBnInto, type InferencePlan, type InferencePlanOptions } from './plan.js';

interface Int8Layer {
  shape: ConvShape;
  inv: number;
  weights: number;
  scale: number;
  bias: number;
  /** Filled once the memory has its final size. */
  fill: (f32: Float32Array, i16: Int16Array) => void;
}

function quantized(layer: ConvLayer, id: string): Required<Pick<ConvLayer, 'wq' | 'wScale' | 'xScale'>> {
  if (layer.wq === undefined || layer.wScale === undefined || layer.xScale === undefined)
    throw new Error(`int8 plan: layer ${id} is not quantised (run quantizeClassifier first)`);
  return { wq: layer.wq, wScale: layer.wScale, xScale: layer.xScale };
}

/**
 * Plans one conv layer: output row o is scaled by xScale * wScale[o] * rowScale(o) and gets
 * bias[o] * rowScale(o) (rowScale folds the BN that follows the graph aggregation into the gcn).
 */
function planLayer(
  mem: PlanMemory,
  layer: ConvLayer,
  id: string,
  t: number,
  vm: number,
  rowScale: (o: number) => number = () => 1,
): Int8Layer {
  const { wq, wScale, xScale } = quantized(layer, id);
  const { cin, cout, kt, stride, pad } = layer;
  const shape: ConvShape = { cin, cout, kt, stride, pad, t, vm };
  const weights = mem.take(convWeightBytes(shape, 'int8'));
  const scale = mem.take(cout * 4);
  const bias = mem.take(cout * 4);
  return {
    shape,
    inv: Math.fround(xScale > 0 ? 1 / xScale : 0),
    weights,
    scale,
    bias,
    fill(f32, i16) {
      packInt8Weights(i16, weights / 2, wq, shape);
      for (let o = 0; o < cout; o++) {
        f32[scale / 4 + o] = xScale * wScale[o]! * rowScale(o);
        f32[bias / 4 + o] = layer.bias[o]! * rowScale(o);
      }
    },
  };
}

export class NonFiniteInputError extends RangeError {
  override name = 'NonFiniteInputError';
}

/** Compile a quantised folded classifier (quantizeClassifier) for clips (batch, C, frames, V, persons). */
export function compileQuantized(m: FoldedClassifier, o: InferencePlanOptions): InferencePlan {
  const n = o.batch ?? 1;
  const persons = o.persons ?? 2;
  const { inChannels: c, numJoints: v, k } = m;
  const shape = [n, c, o.frames, v, persons] as const;
  const vm = persons * v;
  const mem = new PlanMemory(v, 'int8 inference plan');
  let t = o.frames;
  let maxAct = c * t * vm;
  let maxG = 0;
  let maxInput = 0;
  let maxEdge = 0;
  const blocks = m.blocks.map((b, i) => {
    const gcn = planLayer(mem, b.gcn, `${i}.gcn`, t, vm, (row) => b.bn0.scale[row % b.out]!);
    const tcn = planLayer(mem, b.tcn, `${i}.tcn`, t, vm);
    const residual =
      typeof b.residual === 'object' ? planLayer(mem, b.residual, `${i}.residual`, t, vm) : null;
    const layers = [gcn, tcn, ...(residual ? [residual] : [])];
    for (const l of layers) {
      maxInput = Math.max(maxInput, convInputBytes(l.shape, 'int8'));
      maxEdge = Math.max(maxEdge, convEdgeBytes(convTileFor(l.shape.cout)));
    }
    const { table, shift, fill: fillAggregation } = planAggregation(mem, b, k, v, t, vm);
    maxG = Math.max(maxG, k * b.out * t * vm);
    maxAct = Math.max(maxAct, b.out * t * vm);
    const fill = (f32: Float32Array, i16: Int16Array, i32: Int32Array) => {
      for (const l of layers) l.fill(f32, i16);
      fillAggregation(f32, i32);
    };
    // The residual conv reads the block input as the gcn does; calibration saw the same values, so with
    // the same scale and layout it takes the gcn's quantised input instead of quantising h again.
    const residualReusesInput =
      residual !== null && residual.inv === gcn.inv && residual.shape.pad === gcn.shape.pad;
    const block = {
      out: b.out,
      t,
      gcn,
      tcn,
      residual,
      residualReusesInput,
      table,
      shift,
      fill,
      epilogue: blockEpilogue(b),
    };
    t = tconvOutLength({ t, ...b.tcn });
    return block;
  });
  const fc = quantized(m.fc, 'fc');
  const d = m.blocks[m.blocks.length - 1]!.out;
  let h = mem.take(maxAct * 4);
  let next = mem.take(maxAct * 4);
  const res = mem.take(maxAct * 4);
  const agg = mem.take(maxAct * 4);
  const g = mem.take(maxG * 4);
  const zeros = mem.take(o.frames * vm * 4 + 16);
  const xq = mem.take(maxInput);
  const edge = mem.take(maxEdge);
  const { f32, i16, i32 } = mem.view();
  for (const b of blocks) b.fill(f32, i16, i32);
  const wasm = mem.wasm;
  const pooled = new Float32Array(d);
  const pooledQ = new Int8Array(d);
  const fcAcc = new Int32Array(4);
  const row = new Float32Array(m.classes);
  const logits = new Float32Array(n * m.classes);
  const fcArgs = { n: 1, cin: d, cout: m.classes, t: 1, v: 1, kt: 1, stride: 1, pad: 0 };

  const quantize = (l: Int8Layer, src: number) => quantizeInt8Input(wasm, l.shape, src, zeros, xq, l.inv);
  /** The conv over what `quantize` last wrote. */
  const conv = (l: Int8Layer, out: number, epilogue: ConvEpilogue, add?: number) => {
    const buffers = { x: xq, weights: l.weights, out, scale: l.scale, bias: l.bias, edge, add };
    convSimd(wasm, l.shape, buffers, epilogue, 'int8');
  };

  function runClip(x: Float32Array, ni: number): void {
    dataBnInto(f32, h / 4, x, ni, m.dataBn, c, o.frames, v, persons);
    for (const b of blocks) {
      // g (K*out, p) = int8 gcn (BN scale folded in); agg = ReLU(sum_k g_k A_k + BN shift).
      quantize(b.gcn, h);
      conv(b.gcn, g, 'none');
      wasm.aggregate(g, agg, b.shift, b.out, b.t * persons, b.table, 0);
      // tcn, + the residual (its conv's output, or the block's input), ReLU: all in the tcn's epilogue.
      // (The aggregation leaves the quantised input alone: the residual conv may still read it.)
      if (b.residual) {
        if (!b.residualReusesInput) quantize(b.residual, h);
        conv(b.residual, res, 'none');
      }
      quantize(b.tcn, agg);
      conv(b.tcn, next, b.epilogue, b.residual ? res : h);
      [h, next] = [next, h];
    }
    meanPlanes(pooled, f32, h / 4, d, t * vm);
  }

  return {
    shape,
    classes: m.classes,
    run(clips, given = shape) {
      checkClips('int8 inference plan', shape, clips, given);
      // Quantisation would turn NaN into 0 without a word: refuse it here.
      for (let i = 0; i < clips.length; i++)
        if (!Number.isFinite(clips[i]!))
          throw new NonFiniteInputError(
            `int8 inference plan: clip value ${i} is ${clips[i]} (expected a finite number)`,
          );
      for (let ni = 0; ni < n; ni++) {
        runClip(clips, ni);
        quantizeInto(pooledQ, pooled, fc.xScale);
        int8ConvRef(row, pooledQ, fc.xScale, fc.wq, fc.wScale, m.fc.bias, fcArgs, fcAcc);
        logits.set(row, ni * m.classes);
      }
      return logits;
    },
  };
}
