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

/** Features of `data` from every encoder, concatenated per clip; returns them and their size. */
export function encodeWith(
  encoders: readonly StGcn[],
  data: ClipDataset,
  batchSize = 64,
): { features: Float32Array; dim: number } {
  if (encoders.length === 0) throw new RangeError('linear evaluation needs at least one encoder');
  let features = encodeClips(encoders[0]!, data, batchSize);
  let dim = encoders[0]!.outChannels;
  for (const e of encoders.slice(1)) {
    features = concatFeatures(features, dim, encodeClips(e, data, batchSize), e.outChannels);
    dim += e.outChannels;
  }
  return { features, dim };
}

export function linearEvaluation(o: LinearEvaluationOptions): LinearEvaluationResult {
  const { encoders, train, val, encodeBatch, ...probe } = o;
  const classes = o.classes ?? Math.max(classCount(train), val ? classCount(val) : 0);
  const tr = encodeWith(encoders, train, encodeBatch);
  const va = val ? encodeWith(encoders, val, encodeBatch) : null;
  const result = trainLinearProbe({
    ...probe,
    features: tr.features,
    labels: requireLabels(train),
    dim: tr.dim,
    classes,
    val: va && val ? { features: va.features, labels: requireLabels(val) } : undefined,
  });
  return { ...result, dim: tr.dim };
}
