/** A float classifier from either file kind: the compact .asma model or a classifier .safetensors (encoder.*, fc.*). */
import { closeSync, openSync, readSync } from 'node:fs';
import { readSafetensors, Tensor } from '@asma/autodiff';
import { Rng } from '@asma/kernels';
import { ActionClassifier, loadCheckpoint, loadStGcn } from '@asma/trainer';
import { MODEL_MAGIC } from './model-file.js';
import { loadClassifierModel } from './model-io.js';

/** true when the file starts with the .asma magic bytes. */
export function isModelFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(8);
    const n = readSync(fd, b, 0, 8, 0);
    return n === 8 && b.toString('latin1') === MODEL_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** Load a float classifier (eval mode) from a .asma model file or a classifier .safetensors. */
export function loadAnyClassifier(path: string): ActionClassifier {
  if (isModelFile(path)) return loadClassifierModel(path);
  let fc: unknown;
  try {
    fc = readSafetensors(path).tensors.get('fc.weight');
  } catch (err) {
    throw new Error(
      `${path}: neither an .asma model nor a classifier .safetensors (${(err as Error).message})`,
    );
  }
  if (!(fc instanceof Tensor) || fc.ndim !== 2)
    throw new Error(`${path}: neither an .asma model nor a classifier .safetensors (no 2-D "fc.weight")`);
  const { model: encoder } = loadStGcn(path, { prefix: 'encoder.', dropout: 0 });
  const model = new ActionClassifier(encoder, fc.shape[0]!, new Rng(0));
  loadCheckpoint(model, path);
  model.eval();
  return model;
}
