/**
 * The WebAssembly SIMD float32 gemm (forced for every size with setGemmPath('wasm')) against a float64
 * product, over random shapes, transposes, row/column strides with gaps, offsets, ldc > n and
 * accumulate. It accumulates in float32, so the bound is the classical one for recursive summation:
 * |got - exact| <= gamma_(k+1) * (sum_q |a_iq| |b_qj| + |c_ij| when accumulating), gamma_j = j u / (1 - j u),
 * u = 2^-24 (one more rounding for the store into c). That holds for any data, and any index bug
 * breaks it by orders of magnitude.
 */
import { gemm, setGemmPath, wasmFma, wasmSimdAvailable } from '@asma/kernels';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptWasmShape } from '../src/cpu/wasm/gemmF32.js';
import { instantiateGemmWasm } from '../src/cpu/wasm/instance.js';
import { DEFAULT_SHAPE } from '../src/cpu/wasm/kernel.js';

const U = 2 ** -24;
const gamma = (j: number) => (j * U) / (1 - j * U);

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Extra elements between rows (or columns, when transposed) of A, of B, and of C. */
  gapA: number;
  gapB: number;
  gapC: number;
  /** 1: the inner stride of A (or B) is 1; 2: every other element. */
  spreadA: number;
  spreadB: number;
  offA: number;
  offB: number;
  offC: number;
  accumulate: boolean;
  seed: number;
}

function check(t: Case): void {
  const rng = new Rng(t.seed);
  const { m, n, k } = t;
  // A (m x k): row-major with lead k + gap, or stored transposed (k x m) with lead m + gap.
  // With spread 2 neither stride is 1 (every other element): the general packing path.
  const ldA = (t.transA ? m : k) * t.spreadA + t.gapA;
  const [rsA, csA] = t.transA ? [t.spreadA, ldA] : [ldA, t.spreadA];
  const ldB = (t.transB ? k : n) * t.spreadB + t.gapB;
  const [rsB, csB] = t.transB ? [t.spreadB, ldB] : [ldB, t.spreadB];
  const ldc = n + t.gapC;
  const fill = (len: number) => Float32Array.from({ length: len }, () => rng.uniform(-1, 1));
  const a = fill(t.offA + (m - 1) * rsA + (k - 1) * csA + 1);
  const b = fill(t.offB + (k - 1) * rsB + (n - 1) * csB + 1);
  const c = fill(t.offC + m * ldc);
  const before = Float32Array.from(c);
  gemm(m, n, k, a, t.offA, rsA, csA, b, t.offB, rsB, csB, c, t.offC, ldc, t.accumulate);
  for (let i = 0; i < c.length; i++) {
    const row = Math.floor((i - t.offC) / ldc);
    const col = i - t.offC - row * ldc;
    const inside = i >= t.offC && row < m && col < n;
    if (!inside) {
      if (!Object.is(c[i], before[i])) throw new Error(`wrote outside C at ${i} (${JSON.stringify(t)})`);
      continue;
    }
    let exact = t.accumulate ? before[i]! : 0;
    let scale = t.accumulate ? Math.abs(before[i]!) : 0;
    for (let q = 0; q < k; q++) {
      const p = a[t.offA + row * rsA + q * csA]! * b[t.offB + q * rsB + col * csB]!;
      exact += p;
      scale += Math.abs(p);
    }
    const bound = gamma(k + 1) * scale + 1e-30;
    const err = Math.abs(c[i]! - exact);
    if (!(err <= bound))
      throw new Error(
        `C[${row},${col}] = ${c[i]}, exact ${exact}, |err| ${err} > ${bound} (${JSON.stringify(t)})`,
      );
  }
}

/** Small dims (1 included), the 4x8 tile's edges, and sizes that cross the MC=128 / KC=256 blocks. */
const dim = fc.oneof(
  fc.integer({ min: 1, max: 9 }),
  fc.integer({ min: 1, max: 40 }),
  fc.integer({ min: 120, max: 140 }),
);
const depth = fc.oneof(
  fc.integer({ min: 1, max: 9 }),
  fc.integer({ min: 1, max: 60 }),
  fc.integer({ min: 250, max: 520 }),
);
const caseArb: fc.Arbitrary<Case> = fc.record({
  m: dim,
  n: dim,
  k: depth,
  transA: fc.boolean(),
  transB: fc.boolean(),
  gapA: fc.integer({ min: 0, max: 3 }),
  gapB: fc.integer({ min: 0, max: 3 }),
  gapC: fc.integer({ min: 0, max: 3 }),
  spreadA: fc.constantFrom(1, 1, 2),
  spreadB: fc.constantFrom(1, 1, 2),
  offA: fc.integer({ min: 0, max: 5 }),
  offB: fc.integer({ min: 0, max: 5 }),
  offC: fc.integer({ min: 0, max: 5 }),
  accumulate: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

const base: Omit<Case, 'm' | 'n' | 'k'> = {
  transA: false,
  transB: false,
  gapA: 0,
  gapB: 0,
  gapC: 0,
  spreadA: 1,
  spreadB: 1,
  offA: 0,
  offB: 0,
  offC: 0,
  accumulate: false,
  seed: 1,
};

describe('wasm SIMD float32 gemm', () => {
  let prev: ReturnType<typeof setGemmPath>;
  beforeAll(() => {
    prev = setGemmPath('wasm');
  });
  afterAll(() => {
    setGemmPath(prev);
  });

  it('is available on Node >= 20 (WebAssembly.validate accepts the generated module)', () => {
    expect(wasmSimdAvailable()).toBe(true);
  });

  it('equals the float64 product within the float32 summation bound on random views', () => {
    fc.assert(fc.property(caseArb, check), { numRuns: 150 });
  });

  it('crosses the NC = 1024 column block and several depth blocks, accumulating', () => {
    check({ ...base, m: 5, n: 1031, k: 3, accumulate: true, gapC: 2, offC: 1 });
    check({ ...base, m: 131, n: 9, k: 777, transA: true, transB: true, accumulate: true, seed: 2 });
    check({ ...base, m: 257, n: 1025, k: 33, gapA: 1, offB: 3, seed: 3 });
    check({
      ...base,
      m: 133,
      n: 21,
      k: 300,
      spreadA: 2,
      spreadB: 2,
      transB: true,
      accumulate: true,
      seed: 4,
    });
    // Taller than M_CHUNK = 4096 rows with more than one depth block: run in row chunks.
    check({ ...base, m: 4101, n: 3, k: 260, transA: true, accumulate: true, offC: 2, seed: 5 });
  });

  it('k = 0 zeroes C, or leaves it alone when accumulating', () => {
    const c = Float32Array.of(1, 2, 3, 4, 5, 6);
    gemm(2, 2, 0, new Float32Array(0), 0, 0, 1, new Float32Array(0), 0, 2, 1, c, 1, 3, true);
    expect([...c]).toEqual([1, 2, 3, 4, 5, 6]);
    gemm(2, 2, 0, new Float32Array(0), 0, 0, 1, new Float32Array(0), 0, 2, 1, c, 1, 3, false);
    expect([...c]).toEqual([1, 0, 0, 4, 0, 0]);
  });

  it('overwrites NaN-filled C when not accumulating', () => {
    const a = Float32Array.of(1, 2, 3, 4, 5, 6);
    const b = Float32Array.of(7, 8, 9, 10, 11, 12);
    const c = new Float32Array(4).fill(Number.NaN);
    gemm(2, 2, 3, a, 0, 3, 1, b, 0, 2, 1, c, 0, 2, false);
    expect([...c]).toEqual([58, 64, 139, 154]);
  });
});

describe('feature detection', () => {
  it('yields no kernel (so gemm stays on JS) without WebAssembly or when validate rejects SIMD', () => {
    const g = globalThis as { WebAssembly?: object };
    const real = g.WebAssembly;
    try {
      g.WebAssembly = undefined;
      expect(instantiateGemmWasm()).toBeNull();
      g.WebAssembly = { ...real, validate: () => false };
      expect(instantiateGemmWasm()).toBeNull();
    } finally {
      g.WebAssembly = real;
    }
    expect(instantiateGemmWasm()).not.toBeNull();
  });
});

describe('multiply-add variants', () => {
  it('both the fused (relaxed SIMD) and the separate multiply-add tiles meet the bound', () => {
    const relaxed = typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === 'function';
    const shapes = [{ ...DEFAULT_SHAPE, fma: false }, ...(relaxed ? [{ ...DEFAULT_SHAPE, fma: true }] : [])];
    try {
      for (const shape of shapes) {
        adoptWasmShape(shape);
        expect(wasmFma()).toBe(shape.fma);
        check({ ...base, m: 37, n: 45, k: 300, transB: true, accumulate: true, seed: 11 });
        check({ ...base, m: 130, n: 1029, k: 7, seed: 12 });
      }
    } finally {
      adoptWasmShape(instantiateGemmWasm()!.shape);
    }
    // Where relaxed SIMD can be switched on (Node >= 20.16), the default kernel uses it.
    if (relaxed) expect(instantiateGemmWasm()!.shape.fma).toBe(true);
  });
});

describe("setGemmPath('js')", () => {
  it('keeps float32 products on the JS kernel and still matches', () => {
    const prev = setGemmPath('js');
    try {
      check({ ...base, m: 37, n: 45, k: 300, transB: true, accumulate: true, seed: 9 });
    } finally {
      setGemmPath(prev);
    }
  });
});
