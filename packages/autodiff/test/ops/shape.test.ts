import {
  arbAxis,
  arbPermutation,
  arbShape,
  arbTensor,
  concat,
  expand,
  flatten,
  gradCheck,
  indexSelect,
  permute,
  reshape,
  slice,
  split,
  squeeze,
  stack,
  type Tensor,
  tensor,
  transpose,
  unsqueeze,
} from '@asma/autodiff';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

const RUNS = { numRuns: 30, seed: 3 };

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}
function ravel(idx: number[], shape: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < shape.length; d++) o = o * shape[d]! + idx[d]!;
  return o;
}
/** Reference: every output element equals a[map(outIndex)]. */
function expectGather(y: Tensor, a: Tensor, map: (idx: number[]) => number[]): void {
  for (let i = 0; i < y.size; i++) expect(y.data[i]).toBe(a.data[ravel(map(unravel(i, y.shape)), a.shape)]);
}

const nonEmpty = arbShape({ minRank: 1, maxRank: 4 });

describe('shape ops', () => {
  test('permute and transpose', () => {
    fc.assert(
      fc.property(
        nonEmpty.chain((s) =>
          fc.tuple(arbTensor(s), arbPermutation(s.length), arbAxis(s.length), arbAxis(s.length)),
        ),
        ([a, perm, i, j]) => {
          const y = permute(a, perm);
          expect(y.shape).toEqual(perm.map((p) => a.shape[p]));
          expectGather(y, a, (idx) => {
            const src = new Array(a.ndim);
            perm.forEach((p, k) => {
              src[p] = idx[k];
            });
            return src;
          });
          gradCheck((x) => permute(x, perm), [a]);
          gradCheck((x) => transpose(x, i, j), [a]);
        },
      ),
      RUNS,
    );
  });

  test('reshape, flatten, squeeze, unsqueeze keep data and differentiate', () => {
    fc.assert(
      fc.property(
        nonEmpty.chain((s) => fc.tuple(arbTensor(s), arbAxis(s.length), arbAxis(s.length + 1))),
        ([a, ax, ux]) => {
          const r = reshape(a, [-1]);
          expect(r.shape).toEqual([a.size]);
          expect(Array.from(flatten(a).data)).toEqual(Array.from(a.data));
          expect(unsqueeze(a, ux).ndim).toBe(a.ndim + 1);
          expect(squeeze(unsqueeze(a, ux), ux).shape).toEqual(a.shape);
          const s = Math.min(ax + (ax < 0 ? a.ndim : 0), a.ndim - 1);
          gradCheck((x) => flatten(x, s), [a]);
          gradCheck((x) => reshape(x, [a.size, 1]), [a]);
          gradCheck((x) => squeeze(unsqueeze(x, ux)), [a]);
        },
      ),
      RUNS,
    );
  });

  test('expand broadcasts and sums gradients back', () => {
    fc.assert(
      fc.property(
        nonEmpty.chain((s) =>
          fc.tuple(
            arbTensor(s.map((d, i) => (i % 2 === 0 ? 1 : d))),
            fc.constant(s),
            fc.integer({ min: 1, max: 3 }),
          ),
        ),
        ([a, full, lead]) => {
          const target = [lead, ...full];
          const y = expand(a, target);
          expect(y.shape).toEqual(target);
          expectGather(y, a, (idx) => idx.slice(1).map((v, d) => (a.shape[d] === 1 ? 0 : v)));
          gradCheck((x) => expand(x, target), [a]);
        },
      ),
      RUNS,
    );
  });

  test('slice with start/end/step (negative indices too)', () => {
    fc.assert(
      fc.property(
        nonEmpty.chain((s) =>
          fc.tuple(
            arbTensor(s),
            arbAxis(s.length),
            fc.integer({ min: -5, max: 5 }),
            fc.integer({ min: -5, max: 5 }),
            fc.integer({ min: 1, max: 3 }),
          ),
        ),
        ([a, axis, start, end, step]) => {
          const ax = (axis + a.ndim) % a.ndim;
          const n = a.shape[ax]!;
          const picked: number[] = [];
          const py = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
          for (let i = py(start); i < py(end); i += step) picked.push(i);
          const y = slice(a, axis, start, end, step);
          expect(y.shape[ax]).toBe(picked.length);
          expectGather(y, a, (idx) => idx.map((v, d) => (d === ax ? picked[v]! : v)));
          gradCheck((x) => slice(x, axis, start, end, step), [a]);
        },
      ),
      RUNS,
    );
  });

  test('indexSelect removes / repeats entries along an axis', () => {
    fc.assert(
      fc.property(
        nonEmpty.chain((s) =>
          arbAxis(s.length).chain((axis) => {
            const n = s[(axis + s.length) % s.length]!;
            return fc.tuple(
              arbTensor(s),
              fc.constant(axis),
              fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 5 }),
            );
          }),
        ),
        ([a, axis, indices]) => {
          const ax = (axis + a.ndim) % a.ndim;
          const y = indexSelect(a, axis, indices);
          expect(y.shape[ax]).toBe(indices.length);
          expectGather(y, a, (idx) => idx.map((v, d) => (d === ax ? indices[v]! : v)));
          gradCheck((x) => indexSelect(x, axis, indices), [a]);
        },
      ),
      RUNS,
    );
  });

  test('concat, stack and split round-trip and differentiate', () => {
    fc.assert(
      fc.property(
        nonEmpty
          .chain((s) =>
            fc.tuple(
              fc.constant(s),
              arbAxis(s.length),
              fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
            ),
          )
          .chain(([s, axis, sizes]) => {
            const ax = (axis + s.length) % s.length;
            return fc.tuple(
              fc.tuple(...sizes.map((k) => arbTensor(s.map((d, i) => (i === ax ? k : d))))),
              fc.constant(axis),
              fc.constant(sizes),
            );
          }),
        ([parts, axis, sizes]) => {
          const y = concat(parts, axis);
          const back = split(y, sizes, axis);
          for (const [k, b] of back.entries()) expect(Array.from(b.data)).toEqual(Array.from(parts[k]!.data));
          gradCheck((...xs) => concat(xs, axis), parts);
          gradCheck((x) => concat(split(x, 2, axis).reverse(), axis), [y]);
          const same = parts.map((p) => slice(p, axis, 0, 1));
          gradCheck((...xs) => stack(xs, axis), same);
          expect(stack(same, axis).ndim).toBe(same[0]!.ndim + 1);
        },
      ),
      RUNS,
    );
  });

  test('invalid arguments name the op and shapes', () => {
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => reshape(a, [4])).toThrow(/reshape: cannot reshape \[2,3\] \(6 elements\) to \[4\]/);
    expect(() => permute(a, [0, 0])).toThrow(/permute: \[0,0\] is not a permutation of the axes of \[2,3\]/);
    expect(() => indexSelect(a, 1, [0, 3])).toThrow(/indexSelect: index 3 .* axis 1 of size 3 in \[2,3\]/);
    expect(() => concat([a, tensor([1, 2])], 0)).toThrow(/concat: cannot concatenate \[2,3\] with \[2\]/);
    expect(() => squeeze(a, 0)).toThrow(/squeeze: axis 0 of \[2,3\] has size 2/);
    expect(() => expand(a, [3, 3])).toThrow(/expand/);
    expect(() => split(a, [1, 1], 1)).toThrow(/split: sizes \[1,1\] do not sum to 3/);
    expect(() => slice(a, 2)).toThrow(/slice: axis 2 is out of range/);
  });
});
