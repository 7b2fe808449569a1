/** A fine-tuned ActionClassifier (encoder.* + fc.*): rebuild it from its file, and its logits on a clip set. */
import { Tensor } from '@asma/autodiff';
import { readSafetensors } from '@asma/autodiff/node';
import { foldedLogits } from '@asma/compress';
import {
  loadClassifierModel,
  loadQuantizedModel,
  MODEL_KIND_NAMES,
  type ModelFileKind,
  modelFileKind,
} from '@asma/compress/node';
import { ActionClassifier, type ClipDataset, clipCount, forEachBatch } from '@asma/trainer';
import { loadCheckpoint, loadStGcn } from '@asma/trainer/node';
import { Rng } from '@asma/util';
import { checkFits } from './encoders.js';

/** Eval-mode (N, classes) logits, in batches without gradients. */
export async function classifierLogits(
  model: ActionClassifier,
  data: ClipDataset,
  batchSize = 64,
): Promise<Tensor> {
  model.eval();
  let out: Float32Array | null = null;
  let classes = 0;
  await forEachBatch(
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
    throw new Error(
      `${path}: is a .safetensors file with no 2-D "fc.weight" (an encoder or a training checkpoint?); expected a classifier (classifier.safetensors from asma finetune|semi, student.safetensors or student.asma from asma distill, model-int8.asma from asma quantize)`,
    );
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

/** A classifier of any file kind asma writes, ready to score clips. */
export interface EvalModel {
  kind: ModelFileKind;
  classes: number;
  /** Eval-mode (N, classes) logits on the host; int8 models run their int8 kernels (on the CPU). */
  logits(data: ClipDataset, batchSize: number): Promise<Tensor>;
}

/**
 * Load a classifier by its magic bytes: a float or int8 .asma model (asma distill / prune /
 * quantize) or a classifier .safetensors (asma finetune / semi / distill), checked against `data`.
 * Any other file is an error naming the kind expected and the kind found.
 */
export function loadEvalModel(path: string, data: readonly ClipDataset[]): EvalModel {
  const kind = modelFileKind(path);
  if (kind === 'asma-int8') {
    const m = loadQuantizedModel(path);
    for (const d of data) {
      const [, c, , v] = d.clips.shape;
      if (c !== m.inChannels || v !== m.numJoints)
        throw new Error(
          `${path}: the model takes ${m.inChannels} channels x ${m.numJoints} joints but ${d.source} has ${c} x ${v}`,
        );
    }
    return {
      kind,
      classes: m.classes,
      logits: async (d, batch) => new Tensor(foldedLogits(m, d, 'int8', batch), [clipCount(d), m.classes]),
    };
  }
  let model: ActionClassifier;
  if (kind === 'asma-float') {
    model = loadClassifierModel(path);
    for (const d of data) checkFits(model.encoder, path, d);
  } else if (kind === 'safetensors') model = loadClassifier(path, data);
  else
    throw new Error(
      `${path}: is ${MODEL_KIND_NAMES[kind]}; expected a classifier (.asma float or int8, or a classifier .safetensors)`,
    );
  return { kind, classes: model.fc.outFeatures, logits: (d, batch) => classifierLogits(model, d, batch) };
}
