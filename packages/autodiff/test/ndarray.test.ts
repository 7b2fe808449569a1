import { fromNdarray, tensor, toNdarray } from '@asma/autodiff';
import ndarray from 'ndarray';
import { expect, test } from 'vitest';

test('toNdarray is a view; fromNdarray shares contiguous data and copies strided views', () => {
  const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const a = toNdarray(t);
  expect(a.get(1, 2)).toBe(6);
  a.set(0, 0, 10);
  expect(t.data[0]).toBe(10);
  const back = fromNdarray(a);
  expect(back.data.buffer).toBe(t.data.buffer);
  expect(back.shape).toEqual([2, 3]);
  const tr = fromNdarray(a.transpose(1, 0));
  expect(tr.toArray()).toEqual([
    [10, 4],
    [2, 5],
    [3, 6],
  ]);
  const sliced = fromNdarray(a.hi(2, 3).lo(0, 1));
  expect(sliced.toArray()).toEqual([
    [2, 3],
    [5, 6],
  ]);
  expect(() => fromNdarray(ndarray([1, 2]))).toThrow(
    /fromNdarray: storage must be a Float32Array or Float64Array/,
  );
});
