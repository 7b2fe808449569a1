/**
 * The compiled int8 inference plan: the quantised model of quantizeClassifier, computed as the int8
 * reference (foldedForward 'int8') computes it, but with every convolution in @asma/kernels' WebAssembly
 * SIMD int8 kernel (weights packed once as int16 pairs, eight multiply-adds per instruction, requantisation
 * fused into the kernel's epilogue, with the residual add and ReLU) and every buffer planned once in the
 * kernel's own memory. Each conv quantises its input with its calibrated scale in SIMD (the same
 * integers as quantizeInto). The graph aggregation (over the adjacency's nonzeros, BN shift and ReLU
 * fused) and the pooling stay float as in the reference, and the tiny classifier head runs the
 * reference's int8 loop. One thread, no allocation per call, browser-safe.
 */
import {
  aggregateEntries,
  aggregateTableBytes,
  type Int8ConvShape,
  type Int8Epilogue,
  instantiateInt8Wasm,
  int8ConvSimd,
  int8EdgeBytes,
  int8InputBytes,
  int8TileFor,
  int8WeightBytes,
  packInt8Weights,
  quantizeInt8Input,
  tconvOutLength,
  writeAggregateTable,
} from '@asma/kernels';
import type { ConvLayer, FoldedClassifier } from '../folded.js';
import { int8Conv as int8ConvRef, quantizeInto } from '../int8-kernels.js';
import { checkClips, dataBnInto, type InferencePlan, type InferencePlanOptions } from './plan.js';

/** A bump allocator of 16-byte aligned regions (bytes), each followed by slack for SIMD overreads. */
class Regions {
  top = 16;
  take(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil((bytes + 256) / 16) * 16;
    return at;
  }
}

interface Int8Layer {
  shape: Int8ConvShape;
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
  r: Regions,
  layer: ConvLayer,
  id: string,
  t: number,
  vm: number,
  rowScale: (o: number) => number = () => 1,
): Int8Layer {
  const { wq, wScale, xScale } = quantized(layer, id);
  const shape: Int8ConvShape = {
    cin: layer.cin,
    cout: layer.cout,
    kt: layer.kt,
    stride: layer.stride,
    pad: layer.pad,
    t,
    vm,
  };
  const weights = r.take(int8WeightBytes(shape));
  const scale = r.take(layer.cout * 4);
  const bias = r.take(layer.cout * 4);
  return {
    shape,
    inv: Math.fround(xScale > 0 ? 1 / xScale : 0),
    weights,
    scale,
    bias,
    fill(f32, i16) {
      packInt8Weights(i16, weights / 2, wq, shape);
      for (let o = 0; o < layer.cout; o++) {
        f32[scale / 4 + o] = xScale * wScale[o]! * rowScale(o);
        f32[bias / 4 + o] = layer.bias[o]! * rowScale(o);
      }
    },
  };
}

function noSimd(): never {
  throw new Error('int8 plan: this runtime has no WebAssembly SIMD');
}

export class NonFiniteInputError extends RangeError {
  override name = 'NonFiniteInputError';
}

/** Compile a quantised folded classifier (quantizeClassifier) for clips (batch, C, frames, V, persons). */
export function compileQuantized(m: FoldedClassifier, o: InferencePlanOptions): InferencePlan {
  const wasm = instantiateInt8Wasm(m.numJoints) ?? noSimd();
  const n = o.batch ?? 1;
  const persons = o.persons ?? 2;
  const { inChannels: c, numJoints: v, k } = m;
  const shape = [n, c, o.frames, v, persons] as const;
  const vm = persons * v;
  const r = new Regions();
  let t = o.frames;
  let maxAct = c * t * vm;
  let maxG = 0;
  let maxInput = 0;
  let maxEdge = 0;
  const blocks = m.blocks.map((b, i) => {
    const gcn = planLayer(r, b.gcn, `${i}.gcn`, t, vm, (row) => b.bn0.scale[row % b.out]!);
    const tcn = planLayer(r, b.tcn, `${i}.tcn`, t, vm);
    const residual = typeof b.residual === 'object' ? planLayer(r, b.residual, `${i}.residual`, t, vm) : null;
    const layers = [gcn, tcn, ...(residual ? [residual] : [])];
    const table = r.take(aggregateTableBytes(Math.ceil(v / 4), aggregateEntries(b.adjacency, k, v)));
    const shift = r.take(b.out * 4);
    const kStride = b.out * t * vm * 4;
    for (const l of layers) {
      maxInput = Math.max(maxInput, int8InputBytes(l.shape));
      maxEdge = Math.max(maxEdge, int8EdgeBytes(int8TileFor(l.shape.cout)));
    }
    maxG = Math.max(maxG, k * b.out * t * vm);
    maxAct = Math.max(maxAct, b.out * t * vm);
    const fill = (f32: Float32Array, i16: Int16Array, i32: Int32Array) => {
      for (const l of layers) l.fill(f32, i16);
      writeAggregateTable(i32, f32, table, b.adjacency, k, v, kStride);
      f32.set(b.bn0.shift, shift / 4);
    };
    const epilogue: Int8Epilogue = b.residual === 'none' ? 'relu' : 'addRelu';
    const block = {
      b,
      t,
      gcn,
      tcn,
      residual,
      table,
      shift,
      fill,
      epilogue,
      tout: tconvOutLength({ t, ...b.tcn }),
    };
    t = block.tout;
    return block;
  });
  const fc = quantized(m.fc, 'fc');
  const d = m.blocks[m.blocks.length - 1]!.out;
  const actBytes = maxAct * 4;
  let h = r.take(actBytes);
  let next = r.take(actBytes);
  const res = r.take(actBytes);
  const agg = r.take(actBytes);
  const g = r.take(maxG * 4);
  const zeros = r.take(o.frames * vm * 4 + 16);
  const xq = r.take(maxInput);
  const edge = r.take(maxEdge);
  const have = wasm.memory.buffer.byteLength;
  if (r.top > have) wasm.memory.grow(Math.ceil((r.top - have) / 65536));
  const f32 = new Float32Array(wasm.memory.buffer);
  const i16 = new Int16Array(wasm.memory.buffer);
  const i32 = new Int32Array(wasm.memory.buffer);
  for (const blk of blocks) blk.fill(f32, i16, i32);
  const pooled = new Float32Array(d);
  const pooledQ = new Int8Array(d);
  const fcAcc = new Int32Array(4);
  const row = new Float32Array(m.classes);
  const logits = new Float32Array(n * m.classes);
  const fcArgs = { n: 1, cin: d, cout: m.classes, t: 1, v: 1, kt: 1, stride: 1, pad: 0 };

  const conv = (l: Int8Layer, src: number, out: number, epilogue: Int8Epilogue = 'none', add?: number) => {
    quantizeInt8Input(wasm, l.shape, src, zeros, xq, l.inv);
    int8ConvSimd(
      wasm,
      l.shape,
      { x: xq, weights: l.weights, out, scale: l.scale, bias: l.bias, edge, add },
      epilogue,
    );
  };

  function runClip(x: Float32Array, ni: number): void {
    dataBnInto(f32, h / 4, x, ni, m.dataBn, c, o.frames, v, persons);
    for (const { b, t: bt, gcn, tcn, residual, table, shift, epilogue } of blocks) {
      // g (K*out, p) = int8 gcn (BN scale folded in); agg = ReLU(sum_k g_k A_k + BN shift).
      conv(gcn, h, g);
      wasm.aggregate(g, agg, shift, b.out, bt * persons, table);
      // tcn, + the residual (its conv's output, or the block's input), ReLU: all in the tcn's epilogue.
      if (residual) conv(residual, h, res);
      conv(tcn, agg, next, epilogue, residual ? res : h);
      [h, next] = [next, h];
    }
    const plane = t * vm;
    const f = 1 / plane;
    const base = h / 4;
    for (let ci = 0; ci < d; ci++) {
      let s = 0;
      for (let j = base + ci * plane; j < base + (ci + 1) * plane; j++) s += f32[j]!;
      pooled[ci] = s * f;
    }
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
        quantizeInto(pooledQ, pooled, m.fc.xScale!);
        int8ConvRef(row, pooledQ, fc.xScale, fc.wq, fc.wScale, m.fc.bias, fcArgs, fcAcc);
        logits.set(row, ni * m.classes);
      }
      return logits;
    },
  };
}
