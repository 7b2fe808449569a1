/** The README example, kept runnable. */
import {
  cpuBackend,
  getBackend,
  KernelThreads,
  referenceBackend,
  setBackend,
  tconvOutLength,
  threadedCpuBackend,
} from '@asma/kernels';
import { Rng } from '@asma/util';
import { expect, it } from 'vitest';

it('README example runs and agrees with the reference', () => {
  const out = new Float32Array(4);
  getBackend().matmul(out, Float32Array.of(1, 2, 3, 4, 5, 6), Float32Array.of(7, 8, 9, 10, 11, 12), {
    batch: 1,
    m: 2,
    k: 3,
    n: 2,
  });
  expect(getBackend().name).toBe('cpu');
  expect([...out]).toEqual([58, 64, 139, 154]);

  const rng = new Rng(0);
  const p = { n: 2, cin: 4, cout: 8, t: 20, v: 25, kt: 9, stride: 1, pad: 4 };
  const x = Float32Array.from({ length: p.n * p.cin * p.t * p.v }, () => rng.normal());
  const w = Float32Array.from({ length: p.cout * p.cin * p.kt }, () => rng.normal() * 0.1);
  const y = new Float32Array(p.n * p.cout * tconvOutLength(p) * p.v);
  cpuBackend.tconvForward(y, x, w, null, p);

  const prev = setBackend(referenceBackend);
  const yRef = new Float32Array(y.length);
  getBackend().tconvForward(yRef, x, w, null, p);
  setBackend(prev);
  expect(getBackend()).toBe(cpuBackend);
  // The cpu backend sums in float32 (the wasm gemm), the reference in float64: a few float32 roundings apart.
  for (let i = 0; i < y.length; i++)
    expect(Math.abs(y[i]! - yRef[i]!)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(yRef[i]!)));
});

it('README kernel-threads example runs and gives the single-thread bits', async () => {
  const rng = new Rng(1);
  const p = { n: 6, cin: 16, cout: 16, t: 50, v: 25, kt: 9, stride: 1, pad: 4 };
  const x = Float32Array.from({ length: p.n * p.cin * p.t * p.v }, () => rng.normal());
  const w = Float32Array.from({ length: p.cout * p.cin * p.kt }, () => rng.normal() * 0.1);
  const one = new Float32Array(p.n * p.cout * tconvOutLength(p) * p.v);
  cpuBackend.tconvForward(one, x, w, null, p);

  const pool = await KernelThreads.start(2);
  const prev = setBackend(threadedCpuBackend(pool));
  const two = new Float32Array(one.length);
  try {
    getBackend().tconvForward(two, x, w, null, p);
  } finally {
    setBackend(prev);
    await pool.close();
  }
  expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer))).toBe(true);
});
