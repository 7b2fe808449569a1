/** Issue 21: runs that would end with wrong but finite-looking results stop instead, naming what went wrong. */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { readNpy, writeNpy } from '@asma/skeleton/node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { embedCommand } from '../src/commands/embed.js';
import { finetuneCommand } from '../src/commands/finetune.js';
import { pretrainCommand } from '../src/commands/pretrain.js';
import { startView } from '../src/commands/view.js';
import { tinyEncoders, tinyModel, tinySplit } from './tiny-split.js';

const { dir, split } = tinySplit('asma-nothing-silent-');
let enc: { a: string; b: string };
beforeAll(async () => {
  enc = await tinyEncoders(split, join(dir, 'pre'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run a command, capturing what it printed on stderr (the error message is thrown, not printed). */
async function attempt(
  run: () => Promise<number>,
): Promise<{ code: number | null; error: string; stderr: string }> {
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await run();
    return { code, error: '', stderr: spy.mock.calls.map((c) => String(c[0])).join('') };
  } catch (err) {
    return {
      code: null,
      error: (err as Error).message,
      stderr: spy.mock.calls.map((c) => String(c[0])).join(''),
    };
  } finally {
    spy.mockRestore();
  }
}

const pstl = (out: string, ...extra: string[]) => [
  '--data',
  split,
  '--method',
  'pstl',
  '--out',
  out,
  '--epochs',
  '2',
  ...tinyModel,
  ...extra,
];

describe('defect 1: non-finite weights stop the run', () => {
  it('pretrain --lr 1e8 stops naming a BatchNorm running statistic, and writes no encoder', async () => {
    const out = join(dir, 'pretrain-lr');
    const r = await attempt(() => pretrainCommand.run(pstl(out, '--lr', '1e8')));
    expect(r.code).toBeNull();
    expect(r.error).toMatch(/^epoch \d+, step \d+: (buffer|parameter) encoder\.\S+ holds -?(Infinity|NaN)/);
    expect(existsSync(join(out, 'encoder.safetensors'))).toBe(false);
  });

  it('finetune --lr 1e8 stops the same way, and writes no classifier', async () => {
    const out = join(dir, 'finetune-lr');
    const args = ['--checkpoint', enc.a, '--data', split, '--out', out, '--epochs', '2', '--batch', '4'];
    const r = await attempt(() => finetuneCommand.run([...args, '--lr', '1e8']));
    expect(r.code).toBeNull();
    expect(r.error).toMatch(/^epoch \d+, step \d+: (buffer|parameter) \S+ holds -?(Infinity|NaN)/);
    expect(existsSync(join(out, 'classifier.safetensors'))).toBe(false);
  });
});

describe('defect 2: non-finite inputs are named by file, clip and frame', () => {
  it('embed --data with a NaN clip stops naming the file, clip and frame, and writes nothing', async () => {
    const clips = readNpy(join(split, 'val_position.npy'));
    const data = Float32Array.from(clips.data as Float32Array);
    const per = data.length / clips.shape[0]!;
    const [, , , v, m] = clips.shape as number[];
    data[3 * per + 14 * v! * m! + 5] = Number.NaN; // clip 3, channel 0, frame 14
    const nan = join(dir, 'nan.npy');
    writeNpy(nan, data, clips.shape);
    const out = join(dir, 'z.npy');
    const r = await attempt(() =>
      embedCommand.run(['--checkpoint', enc.a, '--data', nan, '--out', out, '--batch', '2']),
    );
    expect(r.error).toBe(`${nan}: clip 3 frame 14 holds a non-finite value (NaN)`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // view --data refuses it before serving.
    await expect(startView(['--port', '0', '--data', nan])).rejects.toThrow(
      `--data: ${nan}: clip 3 frame 14 holds a non-finite value (NaN)`,
    );
  });

  it('motion energy that overflows names the file clip, frame, epoch and step', async () => {
    const clips = readNpy(join(split, 'train_position.npy'));
    const data = Float32Array.from(clips.data as Float32Array);
    const per = data.length / clips.shape[0]!;
    const [, , , v, m] = clips.shape as number[];
    // Finite, but its squared frame difference overflows: frame 9 of every clip.
    for (let c = 0; c < clips.shape[0]!; c++) data[c * per + 9 * v! * m!] = 3e38;
    const big = join(dir, 'big.npy');
    writeNpy(big, data, clips.shape);
    const out = join(dir, 'energy');
    const args = ['--train-data', big, '--method', 'pstl', '--out', out, '--epochs', '1', ...tinyModel];
    const r = await attempt(() => pretrainCommand.run(args));
    expect(r.error).toMatch(
      new RegExp(
        `^epoch 0, step \\d+: motion energy of ${big.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} clip \\d+ \\(frame \\d+ after augmentation\\) is Infinity`,
      ),
    );
  });
});

describe('defect 3: resume checks what it resumes', () => {
  it('refuses other data with the same clip count, naming the data in one line', async () => {
    const out = join(dir, 'resume-data');
    expect(await pretrainCommand.run(pstl(out, '--epochs', '1'))).toBe(0);
    const other = join(dir, 'other');
    mkdirSync(other);
    const clips = readNpy(join(split, 'train_position.npy'));
    const data = Float32Array.from(clips.data as Float32Array).map((x) => x * 1.01);
    writeNpy(join(other, 'train_position.npy'), data, clips.shape);
    const args = pstl(out, '--epochs', '2', '--resume').map((a) => (a === split ? other : a));
    const r = await attempt(() => pretrainCommand.run(args));
    expect(r.error).toMatch(
      /written by a run on other inputs \(data: "[0-9a-f]{16}" in the checkpoint, "[0-9a-f]{16}" now\); refusing to resume$/,
    );
    expect(r.error.split('\n')).toHaveLength(1);
  });

  it('finetune refuses another starting encoder', async () => {
    const out = join(dir, 'resume-enc');
    const args = (e: string) => [
      '--checkpoint',
      e,
      '--data',
      split,
      '--out',
      out,
      '--epochs',
      '2',
      '--batch',
      '4',
    ];
    expect(await finetuneCommand.run([...args(enc.a), '--epochs', '1'])).toBe(0);
    const r = await attempt(() => finetuneCommand.run([...args(enc.b), '--resume']));
    expect(r.error).toMatch(/other inputs \(model: "[0-9a-f]{16}" in the checkpoint, "[0-9a-f]{16}" now\)/);
  });

  it('refuses a checkpoint with a flipped bit in a tensor', async () => {
    const out = join(dir, 'resume-flip');
    expect(await pretrainCommand.run(pstl(out, '--epochs', '1'))).toBe(0);
    const path = join(out, 'checkpoint.safetensors');
    const bytes = readFileSync(path);
    bytes[bytes.length - 3]! ^= 0x01; // a low mantissa bit of the last tensor: still finite
    writeFileSync(path, bytes);
    const r = await attempt(() => pretrainCommand.run(pstl(out, '--resume')));
    expect(r.error).toBe(`${path}: SHA-256 mismatch: the checkpoint is corrupt (a changed byte)`);
  });

  it('says when --resume finds no checkpoint, and a NaN stop does not claim an intact checkpoint', async () => {
    const out = join(dir, 'resume-none');
    const r = await attempt(() => pretrainCommand.run(pstl(out, '--epochs', '1', '--resume')));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `resume: no checkpoint at ${join(out, 'checkpoint.safetensors')}; starting from scratch`,
    );
    const nan = await attempt(() => pretrainCommand.run(pstl(join(dir, 'nan-first'), '--lr', '1e8')));
    expect(nan.error).toContain('(no checkpoint written yet)');
    expect(nan.error).not.toContain('intact');
  });

  it('issue 20.7: --epochs 3 --resume extends a 2-epoch run; other options are named in one line', async () => {
    const out = join(dir, 'extend');
    expect(await pretrainCommand.run(pstl(out))).toBe(0);
    const r = await attempt(() => pretrainCommand.run(pstl(out, '--epochs', '3', '--resume')));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('resume: extending a 2-epoch run to 3 epochs');
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n');
    expect(log.map((l) => JSON.parse(l).epoch)).toEqual([0, 1, 2]);
    const seed = await attempt(() =>
      pretrainCommand.run(pstl(out, '--epochs', '3', '--seed', '4', '--resume')),
    );
    expect(seed.error).toBe(
      `${join(out, 'checkpoint.safetensors')}: written by another run configuration (seed: 0 in the checkpoint, 4 now); refusing to resume`,
    );
    const fewer = await attempt(() => pretrainCommand.run(pstl(out, '--epochs', '1', '--resume')));
    expect(fewer.error).toContain('--epochs 1 is below the 3 epochs the checkpoint has finished');
  });
});

describe('defect 4: leftovers of a killed run', () => {
  it("removes a dead run's checkpoint temporary and truncates log.jsonl to the checkpoint on resume", async () => {
    const out = join(dir, 'leftovers');
    expect(await pretrainCommand.run(pstl(out, '--epochs', '1'))).toBe(0);
    const ck = join(out, 'checkpoint.safetensors');
    // What a kill during the second epoch's checkpoint write leaves: a temporary and a log line too many.
    const stale = join(out, '.checkpoint.safetensors.999999999.1700000000000.tmp');
    copyFileSync(ck, stale);
    const line = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().replace('"epoch":0', '"epoch":1');
    writeFileSync(join(out, 'log.jsonl'), `${readFileSync(join(out, 'log.jsonl'), 'utf8')}${line}\n{"ep`);
    expect(await pretrainCommand.run(pstl(out, '--resume'))).toBe(0);
    expect(existsSync(stale)).toBe(false);
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n');
    expect(log.map((l) => JSON.parse(l).epoch)).toEqual([0, 1]);
  });
});
