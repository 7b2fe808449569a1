/** A fine-tuned ActionClassifier (encoder.* + fc.*): rebuild it from its file, and its logits on a clip set. */
import { readSafetensors, Tensor } from '@asma/autodiff';
import { Rng } from '@asma/kernels';
import {
  ActionClassifier,
  type ClipDataset,
  clipCount,
  forEachBatch,
  loadCheckpoint,
  loadStGcn,
} from '@asma/trainer';
import { checkFits } from './encoders.js';

/** Eval-mode (N, classes) logits, in batches without gradients. */
export function classifierLogits(model: ActionClassifier, data: ClipDataset, batchSize = 64): Tensor {
  model.eval();
  let out: Float32Array | null = null;
  let classes = 0;
  forEachBatch(
    data,
    batchSize,
    (x) => model.forward(x),
    (logits, start) => {
      classes = logits.shape[1]!;
      out ??= new Float32Array(clipCount(data) * classes);
      out.set(logits.data as Float32Array, start * classes);
    },
  );
  return new Tensor(out!, [clipCount(data), classes]);
}

/** The encoder from keys 'encoder.*' (architecture from the file), the fc size from 'fc.weight', all loaded strictly. */
export function loadClassifier(path: string, data: readonly ClipDataset[]): ActionClassifier {
  const fc = readSafetensors(path).tensors.get('fc.weight');
  if (!(fc instanceof Tensor) || fc.ndim !== 2)
    throw new Error(`${path}: has no 2-D "fc.weight"; not a classifier written by asma finetune|semi`);
  const { model: encoder } = loadStGcn(path, { prefix: 'encoder.' });
  if (fc.shape[1] !== encoder.outChannels)
    throw new Error(
      `${path}: fc.weight is [${fc.shape.join(', ')}] but the encoder gives ${encoder.outChannels} features`,
    );
  for (const d of data) checkFits(encoder, path, d);
  const model = new ActionClassifier(encoder, fc.shape[0]!, new Rng(0));
  loadCheckpoint(model, path);
  model.eval();
  return model;
}
