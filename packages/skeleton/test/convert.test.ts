import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  frame50,
  parsePkuLabels,
  parsePkuSkeleton,
  parsePkuSplit,
  pkuClip,
  selectActors,
  toNumbers,
} from '../src/index.js';
import { convertNtu, convertPku, readNpy, readNtuSkeleton, readPkuSkeleton } from '../src/node/index.js';

const FIX = join(import.meta.dirname, 'fixtures');
const NTU = join(FIX, 'ntu');
const PKU = join(FIX, 'pku');
const tmp = mkdtempSync(join(tmpdir(), 'asma-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const OUTPUTS = [
  'train_position.npy',
  'train_label.npy',
  'val_position.npy',
  'val_label.npy',
  'manifest.json',
  'meta.json',
];
const meta = (dir: string) => JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));

describe('convertNtu', () => {
  it('writes frame50 rows and labels per split, skipping bad files by name', () => {
    const out = join(tmp, 'xsub');
    const s = convertNtu(NTU, { split: 'xsub', out, silent: true });
    expect([s.train, s.val]).toEqual([2, 1]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.train.names).toEqual(['S001C001P001R001A001', 'S003C003P004R001A051']); // subjects 1 and 4
    expect(manifest.val.names).toEqual(['S002C002P003R002A050']);
    expect(manifest.skipped.map((k: { name: string }) => k.name)).toEqual([
      'S001C001P007R001A004.skeleton',
      'S001C001P008R001A005.skeleton',
      'S001C001P009R001A006.skeleton',
      'S001C002P005R001A002.skeleton',
      'S001C003P006R001A003.skeleton',
    ]);
    expect(manifest.skipped[3].reason).toMatch(/no body|none in 4 frames/);
    const train = readNpy(join(out, 'train_position.npy'));
    expect(train.shape).toEqual([2, 3, 50, 25, 2]);
    expect(toNumbers(readNpy(join(out, 'train_label.npy')).data)).toEqual([0, 50]);
    expect(toNumbers(readNpy(join(out, 'val_label.npy')).data)).toEqual([49]);
    const raw = selectActors(readNtuSkeleton(join(NTU, 'S003C003P004R001A051.skeleton')));
    expect(train.data.subarray(3 * 50 * 25 * 2)).toEqual(frame50(raw.data, raw.frames));
    expect(readdirSync(out).sort()).toEqual(['convert-log.jsonl', ...OUTPUTS].sort()); // no .partial left
    const log = readFileSync(join(out, 'convert-log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.filter((r) => r.event === 'skip').length).toBe(5);
    expect(log.at(-1).event).toBe('done');
    // The dataset's class count, not the largest label + 1 (51 here).
    expect(meta(out)).toMatchObject({ dataset: 'ntu60', split: 'xsub', numClasses: 60, frames: 50 });
  });

  it('ntu120 records 120 classes', () => {
    const out = join(tmp, 'xset');
    convertNtu(NTU, { split: 'xset', benchmark: 'ntu120', out, silent: true });
    expect(meta(out)).toMatchObject({ dataset: 'ntu120', split: 'xset', numClasses: 120 });
  });

  it('xview by camera, a missing list, other frame counts', () => {
    const list = join(tmp, 'missing.txt');
    writeFileSync(list, 'S001C002P005R001A002\nS002C002P003R002A050\n');
    const out = join(tmp, 'xview');
    const s = convertNtu(NTU, { split: 'xview', out, silent: true, missingList: list, frames: 20 });
    expect([s.train, s.val]).toEqual([1, 1]); // camera 3 trains, camera 1 validates
    expect(s.skipped.slice(0, 2)).toEqual([
      { name: 'S001C002P005R001A002', reason: 'in the missing-skeleton list' },
      { name: 'S002C002P003R002A050', reason: 'in the missing-skeleton list' },
    ]);
    expect(readNpy(join(out, 'val_position.npy')).shape).toEqual([1, 3, 20, 25, 2]);
  });

  it('a resumed run gives byte-identical output to an uninterrupted one', () => {
    // 12 good files (copies of the fixtures under other names) + the broken ones, in shards of 3.
    const raw = join(tmp, 'raw');
    cpSync(NTU, raw, { recursive: true });
    const good = ['S001C001P001R001A001', 'S002C002P003R002A050', 'S003C003P004R001A051'];
    for (let i = 0; i < 9; i++)
      cpSync(
        join(NTU, `${good[i % 3]}.skeleton`),
        join(raw, `S004C00${(i % 3) + 1}P0${10 + i}R001A0${10 + i}.skeleton`),
      );
    const full = join(tmp, 'full');
    const a = convertNtu(raw, { split: 'xsub', out: full, silent: true, shardSize: 3 });
    expect(a.resumedShards).toBe(0);

    const resumed = join(tmp, 'resumed');
    expect(() =>
      convertNtu(raw, {
        split: 'xsub',
        out: resumed,
        silent: true,
        shardSize: 3,
        onSource: (done) => {
          if (done === 8) throw new Error('simulated interruption');
        },
      }),
    ).toThrow('simulated interruption');
    expect(existsSync(join(resumed, 'train_position.npy'))).toBe(false);
    expect(readdirSync(join(resumed, '.partial')).filter((f) => f.endsWith('.json')).length).toBe(3); // config + 2 shards
    writeFileSync(join(resumed, '.partial', '.shard-2.train.npy.999.1.tmp'), 'left by a killed run');
    const b = convertNtu(raw, { split: 'xsub', out: resumed, silent: true, shardSize: 3 });
    expect(b.resumedShards).toBe(2);
    for (const f of OUTPUTS)
      expect(readFileSync(join(resumed, f)).equals(readFileSync(join(full, f))), f).toBe(true);
    expect(existsSync(join(resumed, '.partial'))).toBe(false);
  });

  it('a partial run with other options is discarded, not mixed in', () => {
    const out = join(tmp, 'changed');
    expect(() =>
      convertNtu(NTU, {
        split: 'xsub',
        out,
        silent: true,
        shardSize: 2,
        onSource: (d) => {
          if (d === 4) throw new Error('stop');
        },
      }),
    ).toThrow('stop');
    const s = convertNtu(NTU, { split: 'xsub', out, silent: true, shardSize: 2, frames: 30 });
    expect(s.resumedShards).toBe(0);
    expect(readNpy(join(out, 'train_position.npy')).shape).toEqual([2, 3, 30, 25, 2]);
  });

  it('nothing convertible: fails naming the first skipped file, and writes no (0-row) outputs (issue 21)', () => {
    const raw = join(tmp, 'bad');
    cpSync(join(NTU, 'S001C001P007R001A004.skeleton'), join(raw, 'S001C001P007R001A004.skeleton'), {
      recursive: true,
    });
    const out = join(tmp, 'bad-out');
    expect(() => convertNtu(raw, { split: 'xsub', out, silent: true })).toThrow(
      new RegExp(
        `^ntu ntu60 xsub: no clip converted \\(1 source file\\(s\\), 1 skipped; first: S001C001P007R001A004(\\.skeleton)?: .+\\); nothing written to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
      ),
    );
    for (const f of OUTPUTS) expect(existsSync(join(out, f)), f).toBe(false);
  });
});

describe('PKU-MMD', () => {
  it('parses skeleton files (2 bodies, body 2 zero when absent), labels and split files', () => {
    const two = readPkuSkeleton(join(PKU, 'skeleton', '0002-L.txt'));
    const one = readPkuSkeleton(join(PKU, 'skeleton', '0002-M.txt'));
    expect([two.frames, one.frames]).toEqual([40, 30]);
    expect(one.data.subarray(75, 150).every((v) => v === 0)).toBe(true);
    expect(two.data[75]).toBe(0.8);
    const labels = parsePkuLabels(readFileSync(join(PKU, 'label', '0002-L.txt'), 'utf8'), 'l.txt');
    expect(labels).toEqual([
      { label: 11, start: 1, end: 10, confidence: 1, line: 1 },
      { label: 2, start: 11, end: 25, confidence: 2, line: 2 },
      { label: 40, start: 26, end: 40, confidence: 1, line: 3 },
    ]);
    expect(parsePkuSplit(readFileSync(join(PKU, 'cross-subject.txt'), 'utf8'))).toEqual({
      train: ['0002-L', '0002-M'],
      val: ['0003-R'],
    });
  });

  it('clips are frames start..end inclusive (1-based)', () => {
    const sk = readPkuSkeleton(join(PKU, 'skeleton', '0002-L.txt'));
    const clip = pkuClip(sk, { start: 11, end: 25, line: 2 });
    expect(clip.frames).toBe(15);
    // (c=0, t=0, v=0, m=1) is frame 11 (row 10), body 2, joint 1, x.
    expect(clip.data[1]).toBe(Math.fround(sk.data[10 * 150 + 75]!));
    // (c=2, t=14, v=24, m=0) is frame 25 (row 24), body 1, joint 25, z.
    expect(clip.data[((2 * 15 + 14) * 25 + 24) * 2]).toBe(Math.fround(sk.data[24 * 150 + 24 * 3 + 2]!));
    expect(() => pkuClip(sk, { start: 30, end: 41, line: 9 })).toThrow(
      'label line 9 end: expected a frame in 1..40, got 41',
    );
  });

  it('typed errors for bad lines', () => {
    expect(() => parsePkuSkeleton('1 2 3\n', 'v.txt')).toThrow(
      'v.txt:1: frame 1: expected 150 values, got 3',
    );
    const row = new Array(150).fill('0.5');
    row[80] = 'abc';
    expect(() => parsePkuSkeleton(`${row.join(' ')}\n`, 'v.txt')).toThrow(
      "v.txt:1: body 2 joint 2 field 'z': expected a finite number, got 'abc'",
    );
    expect(() => parsePkuLabels('52,1,2,1\n', 'l.txt')).toThrow(
      "l.txt:1: label: expected an integer in 1..51, got '52'",
    );
    expect(() => parsePkuLabels('3,5,2,1\n', 'l.txt')).toThrow('l.txt:1: end: expected an integer in 5..');
    expect(() => parsePkuLabels('3;5;2;1\n', 'l.txt')).toThrow("expected 'label,start,end,confidence'");
    expect(() => parsePkuSplit('0002-L, 0003-M\n', 's.txt')).toThrow("a 'Training videos:' line");
  });

  it('convertPku writes the split, skipping actions outside the video', () => {
    const out = join(tmp, 'pku');
    const s = convertPku(join(PKU, 'skeleton'), join(PKU, 'label'), join(PKU, 'cross-subject.txt'), {
      out,
      silent: true,
    });
    expect([s.train, s.val]).toEqual([4, 1]);
    expect(s.skipped.map((k) => k.name)).toEqual(['0002-M:2']);
    expect(toNumbers(readNpy(join(out, 'train_label.npy')).data)).toEqual([11, 2, 40, 4]);
    expect(toNumbers(readNpy(join(out, 'val_label.npy')).data)).toEqual([50]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.val.names).toEqual(['0003-R:1']);
    const sk = readPkuSkeleton(join(PKU, 'skeleton', '0003-R.txt'));
    const clip = pkuClip(sk, { start: 2, end: 12, line: 1 });
    expect(readNpy(join(out, 'val_position.npy')).data).toEqual(frame50(clip.data, clip.frames));
    expect(meta(out)).toMatchObject({ dataset: 'pku-mmd', numClasses: 51 });
  });
});
