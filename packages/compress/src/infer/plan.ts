/**
 * A compiled batch-N inference plan of an ST-GCN classifier, built once per model and clip shape from
 * the trainer's layer plan: BatchNorms folded once (the one after the graph aggregation into the 1x1
 * graph conv), buffers sized once for one clip (the clips run one after another through all
 * blocks, so the working set stays in cache), bias in the convolutions, residual + ReLU in one pass, one
 * thread and no allocation per call. The 1x1 graph conv runs before the aggregation when it narrows
 * the channels and after it when it widens them (first block: 3 -> C), whichever costs less.
 * No node: imports, so it runs in the browser too.
 */
import { gemm, type TconvArgs, tconvForwardCpu, tconvOutLength } from '@asma/kernels';
import { type ActionClassifier, layerPlan } from '@asma/trainer';
import { type FoldedBlock, type FoldedClassifier, foldPlan } from '../folded.js';
import { addRelu, fillRows, relu, shiftJointRelu, shiftRelu } from './kernels.js';

export interface InferencePlanOptions {
  /** Clips per call N (default 1). */
  batch?: number;
  frames: number;
  /** Persons M (default 2). */
  persons?: number;
}

export class ClipShapeError extends RangeError {
  override name = 'ClipShapeError';
}

interface CompiledBlock {
  out: number;
  aggFirst: boolean;
  k: number;
  /** convFirst: (K*out, cin) scaled by the BN; aggFirst: (out, K*cin). */
  w: Float32Array;
  bias: Float32Array;
  /** convFirst: BN shift per channel; aggFirst: bias per (channel, joint) after the aggregation. */
  shift: Float32Array;
  a: Float32Array;
  res: { t: number; cin: number };
  tcn: { tout: number };
  resArgs: TconvArgs;
  resW: Float32Array | null;
  identity: boolean;
  /** tcn bias plus the residual conv's bias. */
  outBias: Float32Array;
  tcnW: Float32Array;
  tcnArgs: TconvArgs;
}

export interface InferencePlan {
  /** The clip shape this plan was built for (N, C, T, V, M). */
  readonly shape: readonly number[];
  readonly classes: number;
  /** Logits (N, classes) into a buffer the plan owns (overwritten by the next call). */
  run(clips: Float32Array, shape?: readonly number[]): Float32Array;
}

/** vm = persons * V: the persons sit side by side along the joint axis (see compileFolded). */
function compileBlock(b: FoldedBlock, k: number, v: number, vm: number, t: number): CompiledBlock {
  const { cin } = b.gcn;
  const out = b.out;
  const s = b.bn0.scale;
  const w0 = new Float32Array(b.gcn.w.length);
  const b0 = new Float32Array(k * out);
  for (let kk = 0; kk < k; kk++)
    for (let c = 0; c < out; c++) {
      const row = kk * out + c;
      for (let ci = 0; ci < cin; ci++) w0[row * cin + ci] = b.gcn.w[row * cin + ci]! * s[c]!;
      b0[row] = b.gcn.bias[row]! * s[c]!;
    }
  const aggFirst = cin < out;
  let w = w0;
  let shift = b.bn0.shift;
  if (aggFirst) {
    // y[c,t,w] = sum_{k,ci} W[k*out+c, ci] (x A_k)[ci,t,w] + sum_k b[k*out+c] sum_v A[k,v,w] + shift[c].
    w = new Float32Array(out * k * cin);
    for (let kk = 0; kk < k; kk++)
      for (let c = 0; c < out; c++)
        for (let ci = 0; ci < cin; ci++) w[c * k * cin + kk * cin + ci] = w0[(kk * out + c) * cin + ci]!;
    shift = new Float32Array(out * v);
    for (let c = 0; c < out; c++)
      for (let wi = 0; wi < v; wi++) {
        let acc = b.bn0.shift[c]!;
        for (let kk = 0; kk < k; kk++)
          for (let vi = 0; vi < v; vi++) acc += b0[kk * out + c]! * b.adjacency[(kk * v + vi) * v + wi]!;
        shift[c * v + wi] = acc;
      }
  }
  const tout = tconvOutLength({ t, kt: b.tcn.kt, stride: b.tcn.stride, pad: b.tcn.pad });
  const resConv = typeof b.residual === 'object' ? b.residual : null;
  const outBias = Float32Array.from(b.tcn.bias);
  if (resConv) for (let c = 0; c < out; c++) outBias[c]! += resConv.bias[c]!;
  return {
    out,
    aggFirst,
    k,
    w,
    bias: aggFirst ? new Float32Array(out) : b0,
    shift,
    a: b.adjacency,
    res: { t, cin },
    tcn: { tout },
    resArgs: { n: 1, cin, cout: out, t, v: vm, kt: 1, stride: resConv?.stride ?? 1, pad: 0 },
    resW: resConv?.w ?? null,
    identity: b.residual === 'identity',
    outBias,
    tcnW: b.tcn.w,
    tcnArgs: { n: 1, cin: out, cout: out, t, v: vm, kt: b.tcn.kt, stride: b.tcn.stride, pad: b.tcn.pad },
  };
}

/** Compile a classifier (eval mode) for clips (batch, C, frames, V, persons). */
export function compileClassifier(model: ActionClassifier, o: InferencePlanOptions): InferencePlan {
  return compileFolded(foldPlan(layerPlan(model)), o);
}

export function compileFolded(m: FoldedClassifier, o: InferencePlanOptions): InferencePlan {
  const n = o.batch ?? 1;
  const persons = o.persons ?? 2;
  const { inChannels: c, numJoints: v, k } = m;
  const shape = [n, c, o.frames, v, persons] as const;
  // One clip's persons run together, laid out (C, T, M, V): the temporal conv is (kt x 1) and the
  // aggregation works on rows of V, so a clip is one (C, T, M*V) problem: half the kernel calls of
  // running the persons apart, and the mean over (T, M*V) is the mean over (T, V) and then persons.
  const vm = persons * v;
  let t = o.frames;
  let maxAct = c * t * vm;
  let maxG = 0;
  const blocks = m.blocks.map((b) => {
    const cb = compileBlock(b, k, v, vm, t);
    maxG = Math.max(maxG, (cb.aggFirst ? k * b.gcn.cin : k * b.out) * t * vm);
    maxAct = Math.max(maxAct, b.out * t * vm);
    t = cb.tcn.tout;
    return cb;
  });
  const d = m.blocks[m.blocks.length - 1]!.out;
  let h = new Float32Array(maxAct);
  let next = new Float32Array(maxAct);
  const g = new Float32Array(maxG);
  const agg = new Float32Array(maxAct);
  const res = new Float32Array(maxAct);
  const pooled = new Float32Array(d);
  const logits = new Float32Array(n * m.classes);
  const t0 = o.frames;
  const dn = m.dataBn;

  function runClip(x: Float32Array, ni: number): void {
    dataBnInto(h, 0, x, ni, dn, c, t0, v, persons);
    for (const b of blocks) {
      const { t: bt, cin } = b.res;
      const p = bt * vm;
      if (b.aggFirst) {
        // g (K, cin, T, V) = x A_k, then agg (out, p) = W (out, K*cin) g.
        for (let kk = 0; kk < b.k; kk++)
          gemm(cin * bt * persons, v, v, h, 0, v, 1, b.a, kk * v * v, v, 1, g, kk * cin * p, v, false);
        gemm(b.out, p, b.k * cin, b.w, 0, b.k * cin, 1, g, 0, p, 1, agg, 0, p, false);
        shiftJointRelu(agg, b.shift, b.out, p, v);
      } else {
        // g (K*out, p) = W x + b, then agg (out*T, V) = sum_k g_k A_k.
        fillRows(g, b.bias, b.k * b.out, p);
        gemm(b.k * b.out, p, cin, b.w, 0, cin, 1, h, 0, p, 1, g, 0, p, true);
        for (let kk = 0; kk < b.k; kk++)
          gemm(b.out * bt * persons, v, v, g, kk * b.out * p, v, 1, b.a, kk * v * v, v, 1, agg, 0, v, kk > 0);
        shiftRelu(agg, b.shift, b.out, p);
      }
      // tcn (BN folded, residual conv's bias added) then the residual and ReLU in one pass.
      const n = b.out * b.tcn.tout * vm;
      tconvForwardCpu(next, agg, b.tcnW, b.outBias, b.tcnArgs);
      if (b.resW !== null) {
        tconvForwardCpu(res, h, b.resW, null, b.resArgs);
        addRelu(next, res, n);
      } else if (b.identity) addRelu(next, h, n);
      else relu(next, n);
      const tmp = h;
      h = next;
      next = tmp;
    }
    const plane = t * vm;
    const f = 1 / plane;
    for (let ci = 0; ci < d; ci++) {
      let s = 0;
      for (let j = ci * plane; j < (ci + 1) * plane; j++) s += h[j]!;
      pooled[ci]! += s * f;
    }
  }

  return {
    shape,
    classes: m.classes,
    run(clips, given = shape) {
      checkClips('inference plan', shape, clips, given);
      for (let ni = 0; ni < n; ni++) {
        pooled.fill(0);
        runClip(clips, ni);
        const fc = m.fc;
        for (let o = 0; o < m.classes; o++) {
          let s = fc.bias[o]!;
          for (let j = 0; j < d; j++) s += fc.w[o * d + j]! * pooled[j]!;
          logits[ni * m.classes + o] = s;
        }
      }
      return logits;
    },
  };
}

/** Throws ClipShapeError unless `clips` (of shape `given`) is a batch of exactly `shape`. */
export function checkClips(
  what: string,
  shape: readonly number[],
  clips: Float32Array,
  given: readonly number[],
): void {
  const count = shape.reduce((a, b) => a * b, 1);
  if (given.length !== shape.length || given.some((d, i) => d !== shape[i]) || clips.length !== count)
    throw new ClipShapeError(
      `${what}: clips must be [${shape.join(', ')}] (${count} values), got [${given.join(', ')}] (${clips.length} values)`,
    );
}

/**
 * data_bn over the (N*M, V*C, T) view (channel v*C + c) of clip `ni` of x (N, C, T, V, M), written
 * to out[at..] laid out as (C, T, M, V): a clip's persons side by side along the joint axis.
 */
export function dataBnInto(
  out: Float32Array,
  at: number,
  x: Float32Array,
  ni: number,
  dn: { scale: Float32Array; shift: Float32Array },
  c: number,
  t: number,
  v: number,
  persons: number,
): void {
  const vm = persons * v;
  for (let ci = 0; ci < c; ci++)
    for (let ti = 0; ti < t; ti++)
      for (let vi = 0; vi < v; vi++) {
        const ch = vi * c + ci;
        const src = (((ni * c + ci) * t + ti) * v + vi) * persons;
        const dst = at + (ci * t + ti) * vm + vi;
        for (let mi = 0; mi < persons; mi++) out[dst + mi * v] = x[src + mi]! * dn.scale[ch]! + dn.shift[ch]!;
      }
}
