/**
 * `asma reproduce` end to end on tiny raw folders built from the skeleton package's NTU and PKU-MMD
 * fixtures: the estimate stops the run after one epoch, --yes goes on from that checkpoint to the whole
 * table, a re-run takes every stored stage, and a folder started with other settings is refused.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { estimateRun, PAPER_RECIPE } from '../src/reproduce/run.js';
import { ntuRawFolder, runAsma, SKELETON_FIXTURES, TINY_REPRODUCE } from './tiny-split.js';

const FIX = SKELETON_FIXTURES;
const tmp = mkdtempSync(join(tmpdir(), 'asma-reproduce-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const asma = runAsma;

/** PKU-MMD phase II from the phase I fixture, its labels folded into 41 classes. */
function pku2(dir: string): void {
  cpSync(join(FIX, 'pku'), dir, { recursive: true });
  for (const f of readdirSync(join(dir, 'label'))) {
    const path = join(dir, 'label', f);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const folded = lines.map((l) => {
      const [label, ...rest] = l.split(',');
      return [((Number(label) - 1) % 41) + 1, ...rest].join(',');
    });
    writeFileSync(path, `${folded.join('\n')}\n`);
  }
}

it('asma reproduce: estimate, then the whole table on NTU-60 and PKU-MMD fixtures, resumable at every stage', async () => {
  ntuRawFolder(join(tmp, 'ntu'));
  pku2(join(tmp, 'pku2'));
  const out = join(tmp, 'out');
  const inputs = [
    '--ntu60',
    join(tmp, 'ntu'),
    '--pku',
    join(FIX, 'pku'),
    '--pku2',
    join(tmp, 'pku2'),
    '--out',
    out,
  ];

  const first = await asma('reproduce', ...inputs, ...TINY_REPRODUCE);
  expect(first.code, first.out).toBe(0);
  expect(first.out).toMatch(
    /estimate from the first epoch \([\d.]+ s on 9 clips, NTU-60 xsub\): pretraining .*in all about/,
  );
  expect(first.out).toContain('run again with --yes');
  expect(existsSync(join(out, 'ntu60-xsub', 'pretrain', 'checkpoint.safetensors'))).toBe(true);
  expect(existsSync(join(out, 'table.md'))).toBe(false);
  const pretrainLog = join(out, 'ntu60-xsub', 'pretrain', 'log.jsonl');
  const firstEpoch = readFileSync(pretrainLog, 'utf8').trim().split('\n')[0];
  const estimate = JSON.parse(readFileSync(join(out, 'estimate.json'), 'utf8'));
  expect(estimate.total).toBeGreaterThan(0);

  const full = await asma('reproduce', ...inputs, ...TINY_REPRODUCE, '--yes');
  expect(full.code, full.out).toBe(0);
  // Resumed from the estimate's checkpoint: the first epoch is not run again (its log line is the same).
  const epochs = readFileSync(pretrainLog, 'utf8').trim().split('\n');
  expect(epochs.map((l) => JSON.parse(l).epoch)).toEqual([0, 1]);
  expect(epochs[0]).toBe(firstEpoch);
  const table = readFileSync(join(out, 'table.md'), 'utf8');
  expect(table).toContain('| protocol | NTU-60 xsub | NTU-60 xview | PKU-MMD I xsub |');
  for (const row of [
    'linear evaluation',
    'kNN',
    'linear, aligned teacher',
    'fine-tune',
    'semi-supervised, 1 %',
    'semi-supervised, 10 %',
    'distilled student',
  ])
    expect(table).toMatch(new RegExp(`\\| ${row}[^|]* \\| \\d+\\.\\d \\| \\d+\\.\\d \\| \\d+\\.\\d \\|`));
  // Transfer to PKU-MMD II from each NTU pretraining; PKU-MMD I is not transferred.
  expect(table).toMatch(/\| transfer to PKU-MMD II xsub \(fine-tune\) \| \d+\.\d \| \d+\.\d \| - \|/);
  const results = readFileSync(join(out, 'results.json'), 'utf8');

  // Every stage stored: a re-run recomputes nothing and writes the same numbers.
  const again = await asma('reproduce', ...inputs, ...TINY_REPRODUCE, '--yes');
  expect(again.code, again.out).toBe(0);
  expect(again.out.match(/\(stored\)/g)?.length).toBe(3 * 7 - 1);
  expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(results);

  // Other settings in the same folder: refused, naming what differs.
  const other = await asma(
    'reproduce',
    ...inputs,
    ...TINY_REPRODUCE.map((a) => (a === '2' ? '3' : a)),
    '--yes',
  );
  expect(other.code).toBe(2);
  expect(other.out).toMatch(/holds a reproduce run with other settings \(.*pretrainEpochs.*differ/);
}, 120_000);

it('asks for a raw folder and names a missing one', async () => {
  const none = await asma('reproduce', '--out', join(tmp, 'x'));
  expect(none.code).toBe(2);
  expect(none.out).toContain('needs at least one of --ntu60, --ntu120, --pku');
  const missing = await asma('reproduce', '--out', join(tmp, 'y'), '--ntu60', join(tmp, 'nowhere'));
  expect(missing.out).toContain(`--ntu60: no such path: ${join(tmp, 'nowhere')}`);
  const pku = await asma('reproduce', '--out', join(tmp, 'z'), '--pku', join(FIX, 'ntu'));
  expect(pku.out).toMatch(/--pku .*: no skeleton folder/);
});

it('estimates pretraining from clips x epochs and a fine-tuning epoch as half a pretraining epoch', () => {
  const c = { ...PAPER_RECIPE, pretrainEpochs: 10, finetuneEpochs: 4, semiEpochs: 10, semiFractions: [0.1] };
  const e = estimateRun(c, 2, 100, { pretrain: [100, 200], transfer: [50] });
  expect(e.pretrain).toBeCloseTo(0.02 * 300 * 10, 9);
  // Per pretrained benchmark: 0.5 * 0.02 * (n * (4 + 1) + 50 * 4).
  expect(e.protocols).toBeCloseTo(0.01 * (100 * 5 + 200) + 0.01 * (200 * 5 + 200), 9);
  expect(e.total).toBeCloseTo(e.pretrain + e.protocols, 9);
});
