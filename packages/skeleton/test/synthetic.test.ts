import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ACTION_CLASSES,
  batchIndex,
  generateSynthetic,
  jointMotionEnergy,
  NTU25,
  type SyntheticDataset,
  splitSynthetic,
  toNumbers,
} from '../src/index.js';
import { NpyReader, readNpy, writeSyntheticSplit } from '../src/node/index.js';

const small = generateSynthetic({ seed: 7, samplesPerClass: 30 });
const clean = generateSynthetic({ seed: 7, samplesPerClass: 12, noise: 0, dropProbability: 0 });
const dir = mkdtempSync(join(tmpdir(), 'asma-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bitwise equality; vitest's deep equality is very slow on arrays of millions of floats. */
const sameBytes = (a: Float32Array, b: Float32Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function boneLengths(ds: SyntheticDataset, n: number, t: number, m = 0): number[] {
  return NTU25.bones.map(([a, b]) =>
    Math.hypot(
      ...[0, 1, 2].map(
        (c) => ds.data[batchIndex(ds.shape, n, c, t, a, m)]! - ds.data[batchIndex(ds.shape, n, c, t, b, m)]!,
      ),
    ),
  );
}

describe('generateSynthetic', () => {
  it('has the frame50 shape, at least 12 classes, and balanced labels', () => {
    expect(ACTION_CLASSES.length).toBeGreaterThanOrEqual(12);
    expect(small.shape).toEqual([30 * ACTION_CLASSES.length, 3, 50, 25, 2]);
    const counts = new Array(small.classNames.length).fill(0);
    for (const l of small.labels) counts[l]++;
    expect(counts).toEqual(new Array(small.classNames.length).fill(30));
  });
  it('is deterministic for a seed and differs across seeds', () => {
    const again = generateSynthetic({ seed: 7, samplesPerClass: 30 });
    expect(sameBytes(again.data, small.data)).toBe(true);
    expect(again.labels).toEqual(small.labels);
    const other = generateSynthetic({ seed: 8, samplesPerClass: 30 });
    expect(sameBytes(other.data, small.data)).toBe(false);
  });
  it('selecting classes by name or count gives the same clips for those classes', () => {
    const sub = generateSynthetic({ seed: 7, samplesPerClass: 30, classes: 3 });
    const per = 3 * 50 * 25 * 2;
    expect(sameBytes(sub.data, small.data.subarray(0, 3 * 30 * per))).toBe(true);
    const named = generateSynthetic({ seed: 7, samplesPerClass: 30, classes: ['nod', 'bow'] });
    expect(named.classNames).toEqual(['nod', 'bow']);
    expect(Array.from(new Set(named.labels))).toEqual([0, 1]);
    const k = small.classNames.indexOf('bow');
    expect(
      sameBytes(named.data.subarray(30 * per), small.data.subarray(k * 30 * per, (k + 1) * 30 * per)),
    ).toBe(true);
    expect(() => generateSynthetic({ classes: ['fly'] })).toThrow(/unknown class 'fly'/);
    expect(() => generateSynthetic({ cameras: 9 })).toThrow(/cameras/);
  });
  it('has no NaN, is centred on joint 21, and leaves body 2 at zero for one-person classes', () => {
    expect(small.data.every(Number.isFinite)).toBe(true);
    const [N, , T] = small.shape;
    for (let n = 0; n < N; n += 7) {
      const two = ACTION_CLASSES.find((c) => c.name === small.classNames[small.labels[n]!])!.twoPerson;
      for (let t = 0; t < T; t += 5) {
        for (let c = 0; c < 3; c++) expect(small.data[batchIndex(small.shape, n, c, t, 20, 0)]).toBe(0);
        let body2 = 0;
        for (let c = 0; c < 3; c++)
          for (let v = 0; v < 25; v++) body2 += Math.abs(small.data[batchIndex(small.shape, n, c, t, v, 1)]!);
        if (two) expect(body2).toBeGreaterThan(0.5);
        else expect(body2).toBe(0);
      }
    }
  });
  it('bone lengths are constant per subject over frames and clips, plausible, and differ between subjects', () => {
    const bySubject = new Map<number, number[]>();
    for (let n = 0; n < clean.shape[0]; n++) {
      const ref = boneLengths(clean, n, 0);
      for (let t = 1; t < 50; t += 3) {
        const l = boneLengths(clean, n, t);
        for (const [i, x] of l.entries()) expect(x).toBeCloseTo(ref[i]!, 4);
      }
      const s = clean.subjects[n]!;
      const seen = bySubject.get(s);
      if (seen) for (const [i, x] of ref.entries()) expect(x).toBeCloseTo(seen[i]!, 4);
      else bySubject.set(s, ref);
      for (const x of ref) {
        expect(x).toBeGreaterThan(0.03);
        expect(x).toBeLessThan(0.6);
      }
    }
    const thighs = [...bySubject.values()].map((l) => l[13]!); // (14, 13): knee - hip
    expect(Math.max(...thighs) - Math.min(...thighs)).toBeGreaterThan(0.01);
  });
  it('sensor noise has the requested std (joint minus noisy joint 21: sqrt(2) x noise)', () => {
    const opts = { seed: 3, samplesPerClass: 4, classes: 4, dropProbability: 0 };
    const a = generateSynthetic({ ...opts, noise: 0 });
    const b = generateSynthetic({ ...opts, noise: 0.02 });
    let sum = 0;
    let sq = 0;
    let count = 0;
    for (let n = 0; n < a.shape[0]; n++)
      for (let c = 0; c < 3; c++)
        for (let t = 0; t < 50; t++)
          for (let v = 0; v < 25; v++) {
            if (v === 20) continue;
            const d =
              b.data[batchIndex(b.shape, n, c, t, v, 0)]! - a.data[batchIndex(a.shape, n, c, t, v, 0)]!;
            sum += d;
            sq += d * d;
            count++;
          }
    expect(Math.abs(sum / count)).toBeLessThan(0.001);
    expect(Math.sqrt(sq / count)).toBeCloseTo(0.02 * Math.SQRT2, 3);
  });
  it('reports progress', () => {
    const seen: number[] = [];
    generateSynthetic({ samplesPerClass: 1, classes: 2, onProgress: (d) => seen.push(d) });
    expect(seen).toEqual([1, 2]);
  });
});

describe('splits', () => {
  it('xsub is disjoint by subject, xview by camera, and together they cover the data', () => {
    const xsub = splitSynthetic(small, 'xsub');
    const trainSubjects = new Set(xsub.train.subjects);
    for (const s of xsub.val.subjects) expect(trainSubjects.has(s)).toBe(false);
    expect(xsub.train.shape[0] + xsub.val.shape[0]).toBe(small.shape[0]);
    expect([...trainSubjects].sort((a, b) => a - b)).toEqual([1, 2, 4, 5, 8, 9]);
    const xview = splitSynthetic(small, 'xview');
    expect(new Set(xview.val.cameras)).toEqual(new Set([1]));
    expect(new Set(xview.train.cameras)).toEqual(new Set([2, 3]));
  });
  it('refuses splits with an empty part', () => {
    expect(() =>
      splitSynthetic(generateSynthetic({ samplesPerClass: 2, classes: 1, cameras: 1 }), 'xview'),
    ).toThrow(/training part is empty \(use at least 2 cameras\)/);
  });
  it('writes the AimCLR/PSTL layout as .npy', () => {
    const w = writeSyntheticSplit(dir, small, 'xsub');
    const r = NpyReader.open(join(w.dir, 'train_position.npy'));
    expect(r.shape).toEqual([w.train, 3, 50, 25, 2]);
    expect(r.dtype).toBe('<f4');
    r.close();
    const labels = readNpy(join(w.dir, 'val_label.npy'));
    expect(labels.dtype).toBe('<i8');
    expect(toNumbers(labels.data)).toEqual(Array.from(splitSynthetic(small, 'xsub').val.labels));
    const meta = JSON.parse(readFileSync(join(w.dir, 'meta.json'), 'utf8'));
    expect(meta.classNames).toEqual(small.classNames);
    expect(meta.val.subjects.length).toBe(w.val);
  });
});

describe('difficulty', () => {
  /** Features: per-joint RMS motion and the time-averaged centred pose of body 1. */
  function features(ds: { data: Float32Array; shape: SyntheticDataset['shape'] }): number[][] {
    const e = jointMotionEnergy(ds);
    const out: number[][] = [];
    for (let n = 0; n < ds.shape[0]; n++) {
      const f: number[] = [];
      for (let v = 0; v < 25; v++) f.push(Math.sqrt(e[n * 25 + v]!) * 10);
      for (let c = 0; c < 3; c++)
        for (let v = 0; v < 25; v++) {
          let s = 0;
          for (let t = 0; t < 50; t++) s += ds.data[batchIndex(ds.shape, n, c, t, v, 0)]!;
          f.push(s / 50);
        }
      out.push(f);
    }
    return out;
  }
  it('nearest class mean beats chance by far on xsub, yet is not perfect', () => {
    const { train, val } = splitSynthetic(small, 'xsub');
    const K = small.classNames.length;
    const ft = features(train);
    const dim = ft[0]!.length;
    const means = Array.from({ length: K }, () => new Array<number>(dim).fill(0));
    const counts = new Array<number>(K).fill(0);
    ft.forEach((f, i) => {
      const k = train.labels[i]!;
      counts[k]++;
      f.forEach((x, d) => {
        means[k]![d]! += x;
      });
    });
    for (const [k, m] of means.entries()) for (let d = 0; d < dim; d++) m[d]! /= counts[k]!;
    const fv = features(val);
    let correct = 0;
    fv.forEach((f, i) => {
      let best = 0;
      let bestD = Number.POSITIVE_INFINITY;
      means.forEach((m, k) => {
        const d = m.reduce((a, x, j) => a + (x - f[j]!) ** 2, 0);
        if (d < bestD) {
          bestD = d;
          best = k;
        }
      });
      if (best === val.labels[i]) correct++;
    });
    const acc = correct / fv.length;
    console.log(`nearest class mean, xsub val accuracy ${acc.toFixed(3)} (chance ${(1 / K).toFixed(3)})`);
    expect(acc).toBeGreaterThan(3 / K);
    expect(acc).toBeLessThan(1);
    // Every pair of class means is distinct.
    for (let a = 0; a < K; a++)
      for (let b = a + 1; b < K; b++)
        expect(means[a]!.reduce((s, x, j) => s + (x - means[b]![j]!) ** 2, 0)).toBeGreaterThan(1e-4);
  });
});

describe('confusable pairs', () => {
  // Pairs with the same trunk motion that differ only in the arms: trunk joints alone (spine,
  // neck, shoulders, hips) cannot tell them apart, all joints can.
  const ds = generateSynthetic({ seed: 11, samplesPerClass: 40 });
  const { train, val } = splitSynthetic(ds, 'xsub');
  function feats(b: { data: Float32Array; shape: SyntheticDataset['shape'] }, joints: number[]): number[][] {
    const e = jointMotionEnergy(b);
    const out: number[][] = [];
    for (let n = 0; n < b.shape[0]; n++) {
      const f: number[] = [];
      for (const v of joints) {
        f.push(Math.sqrt(e[n * 25 + v]!) * 10);
        for (let c = 0; c < 3; c++) {
          let s = 0;
          for (let t = 0; t < 50; t++) s += b.data[batchIndex(b.shape, n, c, t, v, 0)]!;
          f.push(s / 50);
        }
      }
      out.push(f);
    }
    return out;
  }
  function pairAccuracy(a: string, b: string, joints: number[]): number {
    const ka = ds.classNames.indexOf(a);
    const kb = ds.classNames.indexOf(b);
    const ft = feats(train, joints);
    const fv = feats(val, joints);
    const mean = (k: number): number[] => {
      const idx = [...train.labels.keys()].filter((i) => train.labels[i] === k);
      return ft[0]!.map((_, d) => idx.reduce((s, i) => s + ft[i]![d]!, 0) / idx.length);
    };
    const ma = mean(ka);
    const mb = mean(kb);
    const dist = (m: number[], f: number[]): number => m.reduce((s, x, d) => s + (x - f[d]!) ** 2, 0);
    let ok = 0;
    let total = 0;
    for (const [i, l] of val.labels.entries()) {
      if (l !== ka && l !== kb) continue;
      total++;
      if ((dist(ma, fv[i]!) < dist(mb, fv[i]!) ? ka : kb) === l) ok++;
    }
    return ok / total;
  }
  const trunk = [0, 1, 2, 4, 8, 12, 16];
  const all = [...Array(25).keys()];
  for (const [a, b] of [
    ['point_right_bow', 'bow'],
    ['clap_squat', 'squat'],
  ] as const) {
    it(`${a} vs ${b}`, () => {
      const trunkAcc = pairAccuracy(a, b, trunk);
      const allAcc = pairAccuracy(a, b, all);
      console.log(`${a} vs ${b}: trunk joints ${trunkAcc.toFixed(2)}, all joints ${allAcc.toFixed(2)}`);
      expect(trunkAcc).toBeLessThan(0.8);
      expect(allAcc).toBeGreaterThan(0.9);
    });
  }
});
