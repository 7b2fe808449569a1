/** A float classifier from either file kind: the compact .asma model or a classifier .safetensors (encoder.*, fc.*). */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { Tensor } from '@asma/autodiff';
import { readSafetensors } from '@asma/autodiff/node';
import { ActionClassifier } from '@asma/trainer';
import { loadCheckpoint, loadStGcn } from '@asma/trainer/node';
import { Rng } from '@asma/util';
import { MODEL_MAGIC, readModelFile } from './model-file.js';
import { FLOAT_KIND, INT8_KIND, loadClassifierModel } from './model-io.js';

/** The file kinds asma writes, told apart by their first bytes (and, for .asma, the header's kind). */
export type ModelFileKind =
  | 'asma-float' // .asma float classifier (asma distill / prune)
  | 'asma-int8' // .asma int8 classifier (asma quantize)
  | 'asma-other' // .asma container of another kind
  | 'safetensors' // safetensors: encoder, classifier or training checkpoint
  | 'unknown';

/** How each kind is named in messages. */
export const MODEL_KIND_NAMES: Record<ModelFileKind, string> = {
  'asma-float': 'a float .asma classifier (asma distill / prune)',
  'asma-int8': 'an int8 .asma classifier (asma quantize)',
  'asma-other': 'an .asma file of another kind',
  safetensors: 'a .safetensors file',
  unknown: 'neither an .asma model nor a .safetensors file',
};

function firstBytes(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    const got = readSync(fd, b, 0, n, 0);
    return b.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** true when the file starts with the .asma magic bytes. */
export function isModelFile(path: string): boolean {
  const b = firstBytes(path, 8);
  return b.length === 8 && b.toString('latin1') === MODEL_MAGIC;
}

/**
 * The kind of a model file by its magic bytes: "ASMAMDL\0" for .asma (then the header's kind, read
 * and validated), an 8-byte little-endian header length that fits the file followed by '{' for
 * safetensors; anything else is 'unknown'.
 */
export function modelFileKind(path: string): ModelFileKind {
  if (isModelFile(path)) {
    const kind = readModelFile(path).kind;
    return kind === FLOAT_KIND ? 'asma-float' : kind === INT8_KIND ? 'asma-int8' : 'asma-other';
  }
  const b = firstBytes(path, 9);
  if (b.length < 9) return 'unknown';
  const header = b.readBigUInt64LE(0);
  return header > 0n && header + 8n <= BigInt(statSync(path).size) && b[8] === 0x7b
    ? 'safetensors'
    : 'unknown';
}

/** Load a float classifier (eval mode) from a .asma model file or a classifier .safetensors. */
export function loadAnyClassifier(path: string): ActionClassifier {
  const kind = modelFileKind(path);
  if (kind === 'asma-float') return loadClassifierModel(path);
  if (kind !== 'safetensors')
    throw new Error(
      `${path}: is ${MODEL_KIND_NAMES[kind]}; expected a float classifier (.asma from asma distill / prune, or a classifier .safetensors)`,
    );
  const fc = readSafetensors(path).tensors.get('fc.weight');
  if (!(fc instanceof Tensor) || fc.ndim !== 2)
    throw new Error(
      `${path}: is a .safetensors file with no 2-D "fc.weight" (an encoder or a training checkpoint?); expected a float classifier (.asma, or classifier .safetensors from asma finetune / semi / distill)`,
    );
  const { model: encoder } = loadStGcn(path, { prefix: 'encoder.', dropout: 0 });
  const model = new ActionClassifier(encoder, fc.shape[0]!, new Rng(0));
  loadCheckpoint(model, path);
  model.eval();
  return model;
}
