/**
 * The real-data path, end to end through the CLI: raw NTU .skeleton and PKU-MMD files (the skeleton
 * package's fixtures) -> asma data ntu|pku -> pretrain -> linear -> finetune -> eval. The split
 * folder the converters write must be the one the training commands read, with the dataset's class
 * count (60 / 51), not the largest label + 1.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runAsma } from './tiny-split.js';

const FIX = join(import.meta.dirname, '..', '..', 'skeleton', 'test', 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'asma-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tiny = [
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
];

const asma = runAsma;

/** pretrain -> linear -> finetune -> eval on one split folder; returns the reports. */
async function trainOn(split: string, work: string) {
  const pre = await asma(
    'pretrain',
    '--data',
    split,
    '--method',
    'asma',
    '--out',
    join(work, 'pre'),
    '--epochs',
    '1',
    '--batch',
    '2',
    ...tiny,
  );
  expect(pre.code, pre.out).toBe(0);
  const encA = join(work, 'pre', 'encoder_a.safetensors');
  const encB = join(work, 'pre', 'encoder_b.safetensors');
  const lin = await asma(
    'linear',
    '--checkpoint',
    `${encA},${encB}`,
    '--data',
    split,
    '--epochs',
    '2',
    '--standardize',
    '--out',
    join(work, 'linear.json'),
  );
  expect(lin.code, lin.out).toBe(0);
  const ft = await asma(
    'finetune',
    '--checkpoint',
    encA,
    '--data',
    split,
    '--out',
    join(work, 'ft'),
    '--epochs',
    '1',
    '--batch',
    '2',
  );
  expect(ft.code, ft.out).toBe(0);
  const ev = await asma(
    'eval',
    '--classifier',
    join(work, 'ft', 'classifier.safetensors'),
    '--data',
    split,
    '--out',
    join(work, 'eval.json'),
  );
  expect(ev.code, ev.out).toBe(0);
  const read = (f: string) => JSON.parse(readFileSync(join(work, f), 'utf8'));
  return {
    linear: read('linear.json'),
    finetune: read('ft/report.json'),
    eval: read('eval.json'),
    evalOut: ev.out,
  };
}

it('NTU-60: raw .skeleton files -> asma data ntu -> pretrain -> linear -> finetune -> eval, 60 classes', async () => {
  // The three readable fixture files, copied under xsub training subjects (1, 2, 4) and
  // validation subjects (3, 6, 7) with actions up to 51: labels stop at 50, the dataset has 60.
  const raw = join(tmp, 'ntu-raw');
  mkdirSync(raw);
  const good = ['S001C001P001R001A001', 'S002C002P003R002A050', 'S003C003P004R001A051'];
  const subjects = ['001', '002', '004', '001', '002', '004', '003', '006', '007'];
  for (const [i, p] of subjects.entries())
    cpSync(
      join(FIX, 'ntu', `${good[i % 3]}.skeleton`),
      join(raw, `S001C001P${p}R001A0${String(40 + i)}.skeleton`),
    );
  const conv = await asma('data', 'ntu', raw, '--split', 'xsub', '--out', join(tmp, 'ntu'), '--frames', '20');
  expect(conv.code, conv.out).toBe(0);
  const split = join(tmp, 'ntu', 'xsub');
  // The parent folder (what --out was) names the split folder inside it.
  const parent = await asma(
    'pretrain',
    '--data',
    join(tmp, 'ntu'),
    '--method',
    'asma',
    '--out',
    join(tmp, 'x'),
  );
  expect(parent.code).toBe(2);
  expect(parent.out).toContain(`it holds the split folder(s) '${split}': pass one of those`);
  for (const f of ['train_position.npy', 'train_label.npy', 'val_position.npy', 'val_label.npy', 'meta.json'])
    expect(existsSync(join(split, f)), f).toBe(true);
  const r = await trainOn(split, join(tmp, 'ntu-run'));
  expect(r.linear.classes).toBe(60);
  expect(r.finetune.classes).toBe(60);
  expect(r.eval).toMatchObject({ classes: 60, clips: 3 });
  expect(r.eval.confusion).toHaveLength(60);
}, 120_000);

it('PKU-MMD: skeleton + label files -> asma data pku -> pretrain -> linear -> finetune -> eval, 51 classes', async () => {
  const pku = join(FIX, 'pku');
  const conv = await asma(
    'data',
    'pku',
    join(pku, 'skeleton'),
    join(pku, 'label'),
    '--split-file',
    join(pku, 'cross-subject.txt'),
    '--out',
    join(tmp, 'pku'),
    '--frames',
    '20',
  );
  expect(conv.code, conv.out).toBe(0);
  const split = join(tmp, 'pku', 'xsub'); // named after cross-subject.txt
  const r = await trainOn(split, join(tmp, 'pku-run'));
  expect(r.linear.classes).toBe(51);
  expect(r.eval).toMatchObject({ classes: 51, clips: 1 });
}, 120_000);
