/**
 * Pruning followed by fine-tuning: `method: 'magnitude'` (global unstructured, masks kept during
 * fine-tuning) or `'channel'` (structured, a physically smaller model). Fine-tuning runs through
 * distill(): with teacher logits it keeps distilling, without them (alpha = 1) it is plain cross-entropy.
 */
import type { EpochRecord } from '@asma/trainer';
import { type ActionClassifier, type ClipDataset, evaluateClassifier } from '@asma/trainer';
import { planChannelPruning, pruneChannels } from './channels.js';
import { distill, type TeacherFn } from './distill.js';
import { magnitudePrune } from './magnitude.js';
import { applyMasks, type PruneMasks, sparsity } from './masks.js';

export type PruneMethod = 'magnitude' | 'channel';

export interface PruneOptions {
  model: ActionClassifier;
  method: PruneMethod;
  /** Fraction of weights (magnitude) or of each group's channels (channel) to remove, in [0, 1). */
  amount: number;
  train: ClipDataset;
  val?: ClipDataset;
  /** Fine-tuning epochs after pruning (0: none). */
  epochs?: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
  /** Teacher logits (or teacher) for distillation while fine-tuning; none: cross-entropy only. */
  teacher?: Float32Array | TeacherFn;
  alpha?: number;
  tau?: number;
  outDir?: string;
  resume?: boolean;
  progress?: string | false;
  onEpoch?: (record: EpochRecord) => void;
}

export interface PruneResult {
  model: ActionClassifier;
  /** Magnitude pruning: the masks kept during fine-tuning. */
  masks: PruneMasks | null;
  parametersBefore: number;
  parametersAfter: number;
  /** Fraction of zero weights over the pruned tensors after fine-tuning (magnitude). */
  sparsity: number | null;
  /** Eval-mode val accuracy right after pruning and after fine-tuning (when val is given). */
  accuracyPruned?: number;
  accuracyFinetuned?: number;
  history: EpochRecord[];
}

export async function prune(o: PruneOptions): Promise<PruneResult> {
  const parametersBefore = o.model.numParameters();
  let model = o.model;
  let masks: PruneMasks | null = null;
  if (o.method === 'magnitude') masks = magnitudePrune(model, o.amount).masks;
  else if (o.method === 'channel') model = pruneChannels(model, planChannelPruning(model.encoder, o.amount));
  else throw new RangeError(`prune: unknown method '${o.method as string}' (magnitude or channel)`);
  const accuracyPruned = o.val ? await evaluateClassifier(model, o.val) : undefined;
  let history: EpochRecord[] = [];
  if ((o.epochs ?? 0) > 0) {
    const m = masks;
    history = (
      await distill({
        model,
        teacher: o.teacher,
        alpha: o.teacher === undefined ? 1 : o.alpha,
        tau: o.tau,
        train: o.train,
        val: o.val,
        classes: model.fc.outFeatures,
        epochs: o.epochs!,
        lr: o.lr ?? 1e-3,
        batchSize: o.batchSize,
        seed: o.seed,
        outDir: o.outDir,
        resume: o.resume,
        progress: o.progress ?? 'prune fine-tune',
        onEpoch: o.onEpoch,
        afterStep: m ? () => applyMasks(model, m) : undefined,
      })
    ).history;
  }
  model.eval();
  return {
    model,
    masks,
    parametersBefore,
    parametersAfter: model.numParameters(),
    sparsity: masks ? sparsity(model, masks.keys()) : null,
    accuracyPruned,
    accuracyFinetuned: o.val && history.length > 0 ? await evaluateClassifier(model, o.val) : undefined,
    history,
  };
}
