/**
 * Runtime options reach every kernel thread: a worker starts with the calling thread's options,
 * receives every change, and reports what it runs; a switch changes the workers' arithmetic too, so
 * a threaded call stays bit-identical to the single-threaded one under any setting.
 */
import {
  cpuBackend,
  DEFAULT_RUNTIME_OPTIONS,
  KernelThreads,
  kernelThreadsOf,
  runtimeOptions,
  runtimeReport,
  setGemmPath,
  setRuntimeOptions,
  type TconvArgs,
  tconvOutLength,
  threadedCpuBackend,
  wasmSimdAvailable,
} from '@asma/kernels';
import { Rng } from '@asma/util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomArray } from './helpers.js';

let pool: KernelThreads;

beforeAll(async () => {
  pool = await KernelThreads.start(3);
});
afterAll(async () => {
  await pool.close();
});
afterEach(() => {
  setRuntimeOptions(DEFAULT_RUNTIME_OPTIONS);
});

describe('runtime options', () => {
  it('rejects a bad option, naming it and what was expected', () => {
    expect(() => setRuntimeOptions({ gemm: 'fast' as 'js' })).toThrow(
      /gemm must be one of auto, js, wasm, got fast/,
    );
    expect(() => setRuntimeOptions({ winograd: 1 as unknown as boolean })).toThrow(
      /winograd must be a boolean/,
    );
    expect(() => setRuntimeOptions({ turbo: true } as never)).toThrow(/unknown option 'turbo'/);
    expect(runtimeOptions()).toEqual(DEFAULT_RUNTIME_OPTIONS);
  });

  it('the old setters write the one options object and return the previous value', () => {
    expect(setGemmPath('js')).toBe('auto');
    expect(runtimeOptions().gemm).toBe('js');
    expect(setGemmPath('auto')).toBe('js');
  });

  it('workers report the options they started with and every change after', () => {
    for (const r of pool.workerReports()) expect(r).toEqual(runtimeReport());
    setRuntimeOptions({ gemm: 'js', directConv: false, winograd: false, elementwiseWasm: false });
    const reports = pool.workerReports();
    expect(reports).toHaveLength(2);
    for (const r of reports) {
      expect(r.options).toEqual({ gemm: 'js', directConv: false, winograd: false, elementwiseWasm: false });
      expect(r.gemm).toBe('js');
    }
    setRuntimeOptions({ gemm: 'auto' });
    for (const r of pool.workerReports()) expect(r).toEqual(runtimeReport());
  });

  it('a change made while the workers start reaches them too', async () => {
    const starting = KernelThreads.start(2);
    await new Promise((r) => setTimeout(r, 0)); // the workers exist now, with the options of that moment
    setRuntimeOptions({ gemm: 'js' });
    const late = await starting;
    try {
      expect(late.workerReports().map((r) => r.options.gemm)).toEqual(['js']);
    } finally {
      await late.close();
    }
  });

  it('a threaded backend leads back to its pool', () => {
    expect(kernelThreadsOf(threadedCpuBackend(pool))).toBe(pool);
    expect(kernelThreadsOf(cpuBackend)).toBeNull();
  });

  it.skipIf(!wasmSimdAvailable())(
    'a gemm switch changes what the workers run: threaded == one thread, js and wasm',
    () => {
      const rng = new Rng(7);
      const p: TconvArgs = { n: 6, cin: 24, cout: 16, t: 20, v: 25, kt: 9, stride: 1, pad: 4 };
      const x = randomArray(Float32Array, p.n * p.cin * p.t * p.v, rng) as Float32Array;
      const w = randomArray(Float32Array, p.cout * p.cin * p.kt, rng) as Float32Array;
      const outLen = p.n * p.cout * tconvOutLength(p) * p.v;
      const threaded = threadedCpuBackend(pool, { minMacs: 0 });
      const run = (be: typeof cpuBackend) => {
        const out = new Float32Array(outLen);
        be.tconvForward(out, x, w, null, p);
        return out;
      };
      const results: Record<string, Float32Array> = {};
      for (const gemm of ['js', 'auto'] as const) {
        setRuntimeOptions({ gemm });
        const one = run(cpuBackend);
        const three = run(threaded);
        // Same bits: the workers' samples (2..5) took the same path as the calling thread's.
        expect(Buffer.from(three.buffer).equals(Buffer.from(one.buffer)), `gemm ${gemm}`).toBe(true);
        results[gemm] = one;
      }
      // The switch does change the arithmetic (float64 JS panels against float32 wasm accumulation).
      expect(Buffer.from(results.js!.buffer).equals(Buffer.from(results.auto!.buffer))).toBe(false);
    },
  );
});
