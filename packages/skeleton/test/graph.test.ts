import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjacency, hopDistance, jointDegree, NTU25, subAdjacency } from '../src/index.js';

const V = 25;
const nonZeros = (a: Float32Array, k: number): number => {
  let c = 0;
  for (let e = k * V * V; e < (k + 1) * V * V; e++) if (a[e] !== 0) c++;
  return c;
};
const pairsOf = (a: Float32Array, k: number): string[] => {
  const out: string[] = [];
  for (let j = 0; j < V; j++)
    for (let i = 0; i < V; i++) if (a[k * V * V + j * V + i] !== 0) out.push(`${j + 1}->${i + 1}`);
  return out.sort();
};

describe('ST-GCN spatial partition (published construction)', () => {
  const A = adjacency(NTU25, 'spatial');
  it('has shape (3, 25, 25) with 25 / 40 / 8 non-zeros', () => {
    expect(A.shape).toEqual([3, 25, 25]);
    expect([0, 1, 2].map((k) => nonZeros(A.data, k))).toEqual([25, 40, 8]);
  });
  it('A2 holds exactly the listed pairs', () => {
    const expected = [
      [2, 1],
      [3, 4],
      [5, 6],
      [9, 10],
      [21, 2],
      [21, 3],
      [21, 5],
      [21, 9],
    ].map(([j, i]) => `${j}->${i}`);
    expect(pairsOf(A.data, 2)).toEqual(expected.sort());
  });
  it('every column of A0 + A1 + A2 sums to 1 and A0 is diagonal', () => {
    for (let i = 0; i < V; i++) {
      let s = 0;
      for (let k = 0; k < 3; k++) for (let j = 0; j < V; j++) s += A.data[k * V * V + j * V + i]!;
      expect(s).toBeCloseTo(1, 6);
      for (let j = 0; j < V; j++) if (j !== i) expect(A.data[j * V + i]).toBe(0);
    }
  });
  it('entries are 1 / (degree + 1) of the target column, rounded to float32', () => {
    const d = jointDegree(NTU25);
    for (let i = 0; i < V; i++) expect(A.data[i * V + i]).toBe(Math.fround(1 / (d[i]! + 1)));
  });
});

describe('other partitions', () => {
  it('uniform: one column-stochastic matrix with 73 non-zeros', () => {
    const A = adjacency(NTU25, 'uniform');
    expect(A.shape).toEqual([1, 25, 25]);
    expect(nonZeros(A.data, 0)).toBe(25 + 48);
  });
  it('distance: self and neighbour matrices', () => {
    const A = adjacency(NTU25, 'distance');
    expect(A.shape).toEqual([2, 25, 25]);
    expect([nonZeros(A.data, 0), nonZeros(A.data, 1)]).toEqual([25, 48]);
  });
  it('spatial-tree: 25 / 24 / 24 with centripetal edges in A1', () => {
    const A = adjacency(NTU25, 'spatial-tree');
    expect([0, 1, 2].map((k) => nonZeros(A.data, k))).toEqual([25, 24, 24]);
    // 4 (head) is further from 21 than 3 (neck): 4 -> 3 is centripetal, 3 -> 4 centrifugal.
    expect(A.data[1 * V * V + 3 * V + 2]).not.toBe(0);
    expect(A.data[2 * V * V + 2 * V + 3]).not.toBe(0);
  });
  it('the uniform matrix equals the sum of the spatial subsets', () => {
    const U = adjacency(NTU25, 'uniform');
    const S = adjacency(NTU25, 'spatial');
    for (let e = 0; e < V * V; e++)
      expect(S.data[e]! + S.data[V * V + e]! + S.data[2 * V * V + e]!).toBeCloseTo(U.data[e]!, 7);
  });
});

describe('joint degree and hop distances', () => {
  it('degree vector', () => {
    expect(jointDegree(NTU25)).toEqual([
      3, 2, 2, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 1, 4, 1, 2, 1, 2,
    ]);
  });
  it('max_hop = 1: 0 / 1 / Infinity', () => {
    const h = hopDistance(V, NTU25.bones, 1);
    expect(h[20 * V + 20]).toBe(0);
    expect(h[20 * V + 1]).toBe(1);
    expect(h[20 * V + 0]).toBe(Number.POSITIVE_INFINITY);
  });
  it('true tree distances', () => {
    const h = hopDistance(V, NTU25.bones, Number.POSITIVE_INFINITY);
    // head (4) -> neck (3) -> spine shoulder (21) -> L shoulder (5) -> elbow (6) -> wrist (7) -> hand (8) -> thumb (23) -> tip (22)
    expect(h[3 * V + 21]).toBe(8);
    expect(h[15 * V + 19]).toBe(8); // L foot to R foot via spine base
    for (let a = 0; a < V; a++) for (let b = 0; b < V; b++) expect(h[a * V + b]).toBe(h[b * V + a]);
    for (const [a, b] of NTU25.bones) expect(h[a * V + b]).toBe(1);
    expect(Math.max(...h)).toBeLessThan(Number.POSITIVE_INFINITY);
  });
  it('max_hop = 2 caps distances at 2', () => {
    const h = hopDistance(V, NTU25.bones, 2);
    expect(h[20 * V + 0]).toBe(2);
    expect(h[20 * V + 12]).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('subAdjacency', () => {
  const A = adjacency(NTU25, 'spatial');
  it('equals A[:, kept][:, :, kept] for any kept subset', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 24 }), { minLength: 0, maxLength: 25 }),
        (kept) => {
          const S = subAdjacency(A, kept);
          const r = kept.length;
          expect(S.shape).toEqual([3, r, r]);
          for (let k = 0; k < 3; k++)
            for (let a = 0; a < r; a++)
              for (let b = 0; b < r; b++)
                expect(S.data[k * r * r + a * r + b]).toBe(A.data[k * V * V + kept[a]! * V + kept[b]!]);
        },
      ),
      { numRuns: 100 },
    );
  });
  it('keeping every joint in order is the identity; composition = one slice', () => {
    const all = Array.from({ length: V }, (_, i) => i);
    expect(subAdjacency(A, all).data).toEqual(A.data);
    fc.assert(
      fc.property(fc.shuffledSubarray(all), fc.func(fc.boolean()), (kept, pick) => {
        const inner = kept.map((_, i) => i).filter((i) => pick(i));
        const twice = subAdjacency(subAdjacency(A, kept), inner);
        const once = subAdjacency(
          A,
          inner.map((i) => kept[i]!),
        );
        expect(twice.data).toEqual(once.data);
      }),
      { numRuns: 50 },
    );
  });
  it('rejects joints out of range', () => {
    expect(() => subAdjacency(A, [0, 25])).toThrow(/joint 25/);
  });
});
