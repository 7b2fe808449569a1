/** Shared fixtures of the training-command tests: a tiny synthetic split and tiny pretrained encoders. */
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic } from '@asma/skeleton';
import { writeSyntheticSplit } from '@asma/skeleton/node';
import { vi } from 'vitest';
import { main } from '../src/cli.js';
import { pretrainCommand } from '../src/commands/pretrain.js';

/** The skeleton package's raw-format fixtures (NTU .skeleton, PKU-MMD). */
export const SKELETON_FIXTURES = join(import.meta.dirname, '..', '..', 'skeleton', 'test', 'fixtures');

/** A fresh temp folder holding <dir>/xsub, a split of 5 classes x 3 clips of 20 frames. */
export function tinySplit(prefix: string): { dir: string; split: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const ds = generateSynthetic({ seed: 0, samplesPerClass: 3, classes: 5, frames: 20 });
  writeSyntheticSplit(dir, ds, 'xsub');
  return { dir, split: join(dir, 'xsub') };
}

/** Options for an encoder of a few hundred parameters on 20-frame clips. */
export const tinyModel = [
  '--base',
  '2',
  '--features',
  '8',
  '--width',
  '16',
  '--motion-drops',
  '3',
  '--random-drops',
  '3',
  '--batch',
  '4',
];

/** Pretrain ASMa for one epoch into <out>; returns the two encoder files. */
export async function tinyEncoders(split: string, out: string): Promise<{ a: string; b: string }> {
  const code = await pretrainCommand.run([
    '--data',
    split,
    '--method',
    'asma',
    '--out',
    out,
    '--epochs',
    '1',
    ...tinyModel,
  ]);
  if (code !== 0) throw new Error(`pretrain exited ${code}`);
  return { a: join(out, 'encoder_a.safetensors'), b: join(out, 'encoder_b.safetensors') };
}

/** Run `asma ...args` in process, returning the exit code and what it printed (stdout and stderr). */
export async function runAsma(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.join(' ')));
  try {
    return { code: await main(args), out: lines.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

/** NTU-60 raw files over training and validation subjects (xsub) and cameras (xview). */
export function ntuRawFolder(dir: string): void {
  mkdirSync(dir);
  const good = ['S001C001P001R001A001', 'S002C002P003R002A050', 'S003C003P004R001A051'];
  let i = 0;
  for (const p of ['001', '002', '004', '003', '006', '007'])
    for (const c of ['001', '002', '003']) {
      cpSync(
        join(SKELETON_FIXTURES, 'ntu', `${good[i % 3]}.skeleton`),
        join(dir, `S001C${c}P${p}R001A0${10 + i}.skeleton`),
      );
      i++;
    }
}

/** `asma reproduce` options for a seconds-long run on the fixture folders. */
export const TINY_REPRODUCE = [
  '--epochs',
  '2',
  '--base',
  '2',
  '--features',
  '8',
  '--width',
  '16',
  '--batch',
  '4',
  '--frames',
  '20',
  '--linear-epochs',
  '2',
  '--finetune-epochs',
  '1',
  '--semi-epochs',
  '1',
  '--align-epochs',
  '1',
  '--distill-epochs',
  '1',
];
