/**
 * Post-training int8 quantisation of an ST-GCN classifier: BN folded into the convolutions, weights
 * per-output-channel symmetric int8, each quantised layer's input scale calibrated on a few batches of
 * training clips (the max of |x|, or a percentile of it to ignore outliers).
 */

import type { ActionClassifier } from '@asma/trainer';
import { type ClipDataset, clipCount, gatherClips } from '@asma/trainer';
import {
  type ConvLayer,
  type FoldedClassifier,
  type ForwardMode,
  foldClassifier,
  foldedForward,
} from './folded.js';
import { quantizeWeights } from './int8-kernels.js';

export interface CalibrationOptions {
  /** Calibration batches (default 4). */
  batches?: number;
  batchSize?: number;
  /** 'max' (default) or 'percentile' of |x|. */
  method?: 'max' | 'percentile';
  /** Percentile of |x| for method 'percentile' (default 99.99). */
  percentile?: number;
}

/** Every quantised layer of a folded model with its id. */
export function quantizedLayers(m: FoldedClassifier): [string, ConvLayer][] {
  const out: [string, ConvLayer][] = [];
  m.blocks.forEach((b, i) => {
    out.push([`${i}.gcn`, b.gcn], [`${i}.tcn`, b.tcn]);
    if (typeof b.residual === 'object') out.push([`${i}.residual`, b.residual]);
  });
  out.push(['fc', m.fc]);
  return out;
}

/** Fold `model` and quantise it, calibrating activation scales on the first clips of `calibration`. */
export function quantizeClassifier(
  model: ActionClassifier | FoldedClassifier,
  calibration: ClipDataset,
  o: CalibrationOptions = {},
): FoldedClassifier {
  const m = 'encoder' in model ? foldClassifier(model) : model;
  const method = o.method ?? 'max';
  const pct = o.percentile ?? 99.99;
  if (!(pct > 0 && pct <= 100)) throw new RangeError(`quantize: percentile must be in (0, 100], got ${pct}`);
  const batchSize = o.batchSize ?? 16;
  const n = Math.min(clipCount(calibration), (o.batches ?? 4) * batchSize);
  if (n < 1) throw new RangeError(`quantize: ${calibration.source} has no clips to calibrate on`);
  const maxAbs = new Map<string, number>();
  // Percentile: a strided sample of |x| per layer keeps memory bounded.
  const samples = new Map<string, number[]>();
  const observe = (id: string, x: Float32Array) => {
    let mx = maxAbs.get(id) ?? 0;
    for (const v of x) mx = Math.max(mx, Math.abs(v));
    maxAbs.set(id, mx);
    if (method === 'percentile') {
      const s = samples.get(id) ?? [];
      const step = Math.max(1, Math.floor(x.length / 20000));
      for (let j = 0; j < x.length; j += step) s.push(Math.abs(x[j]!));
      samples.set(id, s);
    }
  };
  for (let s = 0; s < n; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - s) }, (_, i) => s + i);
    const { batch } = gatherClips(calibration, idx);
    foldedForward(m, batch.data, batch.shape, 'float', observe);
  }
  for (const [id, layer] of quantizedLayers(m)) {
    let range = maxAbs.get(id) ?? 0;
    if (method === 'percentile') {
      const s = Float64Array.from(samples.get(id) ?? []).sort();
      if (s.length > 0) range = s[Math.min(s.length - 1, Math.floor((pct / 100) * s.length))]!;
    }
    const { q, scale } = quantizeWeights(layer.w, layer.cout);
    layer.wq = q;
    layer.wScale = scale;
    layer.xScale = Math.fround(range > 0 ? range / 127 : 1); // stored as float32
  }
  return m;
}

/** Eval-mode (N, classes) logits of every clip of `data` under a folded model. */
export function foldedLogits(
  m: FoldedClassifier,
  data: ClipDataset,
  mode: ForwardMode,
  batchSize = 32,
): Float32Array {
  const n = clipCount(data);
  const out = new Float32Array(n * m.classes);
  for (let s = 0; s < n; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - s) }, (_, i) => s + i);
    const { batch } = gatherClips(data, idx);
    out.set(foldedForward(m, batch.data, batch.shape, mode), s * m.classes);
  }
  return out;
}

/** Parameters of a folded model as stored (weights, biases, scales, affine terms, adjacencies). */
export function foldedValues(m: FoldedClassifier): number {
  let s = m.dataBn.scale.length * 2 + m.fc.w.length + m.fc.bias.length;
  for (const b of m.blocks) {
    s += b.bn0.scale.length * 2 + b.adjacency.length;
    for (const l of [b.gcn, b.tcn, ...(typeof b.residual === 'object' ? [b.residual] : [])])
      s += l.w.length + l.bias.length;
  }
  return s;
}
