/**
 * Runs only in the 'poisoned-buffers' project (vitest.config.ts), under ASMA_POISON_RECYCLED=1: a
 * buffer the pool hands out non-zeroed is all NaN, small ones included, so a kernel that skips part
 * of its output leaves NaN there. (Under the same setting the ops and model suites run.)
 */
import { expect, it } from 'vitest';
import { recycle, takeRecycled } from '../src/grad/recycle.js';

it('runs with the debug mode on', () => {
  expect(process.env.ASMA_POISON_RECYCLED).toBe('1');
});

it('a recycled buffer handed out non-zeroed is all NaN; zeroed is all zero', () => {
  for (const n of [7, 20000]) {
    for (const Ctor of [Float32Array, Float64Array]) {
      recycle(new Ctor(n).fill(3));
      const a = takeRecycled(Ctor === Float64Array, n, false);
      expect(a, `${Ctor.name} ${n}`).not.toBeNull();
      expect(a!.every(Number.isNaN), `${Ctor.name} ${n}`).toBe(true);
      recycle(a!);
      const z = takeRecycled(Ctor === Float64Array, n, true);
      expect(z!.every((v) => v === 0)).toBe(true);
    }
  }
});

it('a kernel that skips part of its output is caught: the stale element reads NaN', () => {
  recycle(new Float32Array(64).fill(1));
  const out = takeRecycled(false, 64, false)!;
  for (let i = 0; i < 63; i++) out[i] = i; // a faulty kernel that misses the last element
  expect(Number.isNaN(out[63])).toBe(true);
});
