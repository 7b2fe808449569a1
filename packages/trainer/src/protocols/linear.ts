/**
 * Linear evaluation of frozen encoders (PSTL protocol): eval-mode features of every clip, then
 * Linear(D, classes) trained with Adam (lr 0.01) and a cosine schedule. Several encoders (ASMa's A
 * and B) are evaluated on their concatenated features.
 */
import { type ClipDataset, classCount, requireLabels } from '../data/dataset.js';
import { type LinearProbeOptions, type LinearProbeResult, trainLinearProbe } from '../eval/linear-probe.js';
import type { StGcn } from '../model/stgcn.js';
import { concatFeatures, encodeClips } from './encode.js';

export interface LinearEvaluationOptions
  extends Omit<LinearProbeOptions, 'features' | 'labels' | 'dim' | 'classes' | 'val'> {
  encoders: readonly StGcn[];
  train: ClipDataset;
  val?: ClipDataset;
  classes?: number;
  /** Clips per forward pass when encoding (default 64). */
  encodeBatch?: number;
}

export interface LinearEvaluationResult extends LinearProbeResult {
  /** Feature size seen by the classifier (sum over encoders). */
  dim: number;
}

/** Per-clip concatenation of several (N, dim) feature blocks, e.g. one per encoder. */
export function joinFeatures(parts: readonly { features: Float32Array; dim: number }[]): {
  features: Float32Array;
  dim: number;
} {
  if (parts.length === 0) throw new RangeError('linear evaluation needs at least one encoder');
  return parts.slice(1).reduce(
    (acc, p) => ({
      features: concatFeatures(acc.features, acc.dim, p.features, p.dim),
      dim: acc.dim + p.dim,
    }),
    parts[0]!,
  );
}

/** Features of `data` from every encoder, concatenated per clip; returns them and their size. */
export async function encodeWith(
  encoders: readonly StGcn[],
  data: ClipDataset,
  batchSize = 64,
): Promise<{ features: Float32Array; dim: number }> {
  const parts: { features: Float32Array; dim: number }[] = [];
  for (const e of encoders)
    parts.push({ features: await encodeClips(e, data, batchSize), dim: e.outChannels });
  return joinFeatures(parts);
}

export async function linearEvaluation(o: LinearEvaluationOptions): Promise<LinearEvaluationResult> {
  const { encoders, train, val, encodeBatch, ...probe } = o;
  const classes = o.classes ?? Math.max(classCount(train), val ? classCount(val) : 0);
  const tr = await encodeWith(encoders, train, encodeBatch);
  const va = val ? await encodeWith(encoders, val, encodeBatch) : null;
  const result = await trainLinearProbe({
    ...probe,
    features: tr.features,
    labels: requireLabels(train),
    dim: tr.dim,
    classes,
    val: va && val ? { features: va.features, labels: requireLabels(val) } : undefined,
  });
  return { ...result, dim: tr.dim };
}
