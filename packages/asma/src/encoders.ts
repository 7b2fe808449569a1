/** Load trained ST-GCN encoders for evaluation and check that they fit the clips before any work. */
import { existsSync } from 'node:fs';
import { MODEL_KIND_NAMES, modelFileKind } from '@asma/compress/node';
import type { ClipDataset, StGcn } from '@asma/trainer';
import { loadStGcn } from '@asma/trainer/node';
import { Rng } from '@asma/util';
import { UsageError } from './command.js';

/** Comma-separated checkpoint paths of one option, each of which must exist. */
export function checkpointList(option: string, value: string): string[] {
  const paths = value.split(',').filter((p) => p !== '');
  if (paths.length === 0) throw new UsageError(`--${option} <enc.safetensors> is required`);
  for (const p of paths) if (!existsSync(p)) throw new UsageError(`--${option}: no such file '${p}'`);
  return paths;
}

/** Throw unless the clips have the channels and joints the encoder was built for. */
export function checkFits(encoder: StGcn, path: string, data: ClipDataset): void {
  const [, c, , v] = data.clips.shape;
  if (c !== encoder.inChannels || v !== encoder.numJoints)
    throw new Error(
      `${path}: the encoder takes ${encoder.inChannels} channels x ${encoder.numJoints} joints but ${data.source} has ${c} x ${v}`,
    );
}

/** Rebuild an encoder from its file (eval mode) and check it against every dataset given. */
export function loadEncoder(
  path: string,
  data: readonly ClipDataset[],
  opts: { prefix?: string; seed?: number } = {},
): StGcn {
  const kind = modelFileKind(path);
  if (kind !== 'safetensors')
    throw new Error(
      `${path}: is ${MODEL_KIND_NAMES[kind]}; expected an encoder .safetensors (encoder.safetensors, encoder_a/b.safetensors from asma pretrain)`,
    );
  // The seed drives dropout when the encoder is trained further (fine-tuning).
  const { model } = loadStGcn(path, { prefix: opts.prefix, rng: new Rng(opts.seed ?? 0) });
  for (const d of data) checkFits(model, path, d);
  return model;
}
