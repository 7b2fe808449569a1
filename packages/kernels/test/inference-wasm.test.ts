import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregateEntries,
  aggregateTableBytes,
  type ConvShape,
  convEdgeBytes,
  convInputBytes,
  convSimd,
  convTileFor,
  convWeightBytes,
  instantiateInferenceWasm,
  packF32Weights,
  packInt8Weights,
  paddedPlaneBytes,
  quantizeInt8Input,
  tconvOutLength,
  writeAggregateTable,
  zeroF32Padding,
} from '../src/index.js';

/** A seeded stream of uint32 (kernels depends on nothing, so no Rng from @asma/util here). */
function uint32s(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return x;
  };
}

/** The integer reference: float32 product, round to nearest with ties to even, clamp to +-127. */
function quantRef(x: number, inv: number): number {
  const v = Math.fround(x * inv);
  const up = Math.round(v);
  const q = up - v === 0.5 && up % 2 !== 0 ? up - 1 : up;
  return Number.isNaN(q) ? 0 : Math.min(127, Math.max(-127, q)) + 0; // + 0: int16 has no -0
}

/** out = fround(fround(acc * scale) + bias), acc summed exactly over (c, k). */
function convRef(xq: Int8Array, wq: Int8Array, scale: Float32Array, bias: Float32Array, s: ConvShape) {
  const tout = tconvOutLength(s);
  const out = new Float32Array(s.cout * tout * s.vm);
  for (let o = 0; o < s.cout; o++)
    for (let to = 0; to < tout; to++)
      for (let j = 0; j < s.vm; j++) {
        let acc = 0;
        for (let c = 0; c < s.cin; c++)
          for (let k = 0; k < s.kt; k++) {
            const ti = to * s.stride + k - s.pad;
            if (ti >= 0 && ti < s.t) acc += wq[(o * s.cin + c) * s.kt + k]! * xq[(c * s.t + ti) * s.vm + j]!;
          }
        out[(o * tout + to) * s.vm + j] = Math.fround(Math.fround(acc * scale[o]!) + bias[o]!);
      }
  return out;
}

/** A bump allocator over a fresh instance's memory, with slack after every region. */
function setUp(bytes: number[], joints = 25) {
  const w = instantiateInferenceWasm(joints);
  if (w === null) throw new Error('no WebAssembly SIMD');
  const at: number[] = [];
  let top = 64;
  for (const b of bytes) {
    at.push(top);
    top += Math.ceil((b + 256) / 16) * 16;
  }
  const have = w.memory.buffer.byteLength;
  if (top > have) w.memory.grow(Math.ceil((top - have) / 65536));
  return { w, at };
}

const shapeArb = fc
  .record({
    cin: fc.integer({ min: 1, max: 9 }),
    cout: fc.integer({ min: 1, max: 13 }),
    kt: fc.constantFrom(1, 3, 9),
    stride: fc.constantFrom(1, 2),
    t: fc.integer({ min: 1, max: 12 }),
    vm: fc.integer({ min: 1, max: 53 }),
    seed: fc.integer(),
  })
  .map((r) => ({
    ...r,
    pad: (r.kt - 1) / 2,
    epilogue: (['none', 'relu', 'addRelu'] as const)[(r.seed >>> 3) % 3]!,
  }));

describe('int8 WebAssembly kernels', () => {
  it('quantises exactly like the integer reference: ties, NaN, Inf and saturation included', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.float({ noDefaultInfinity: false }),
            fc.integer({ min: -300, max: 300 }).map((i) => i / 2),
            fc.constantFrom(
              Number.NaN,
              Number.POSITIVE_INFINITY,
              0.49999997,
              -2.5,
              -3.5,
              3.5,
              126.5,
              -127.5,
              1e10,
            ),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        fc.constantFrom(1, 0.5, 0.37, 3),
        fc.integer({ min: 0, max: 2 }),
        (values, scale, pad) => {
          const n = values.length;
          const s: ConvShape = { cin: 2, cout: 1, kt: 1, stride: 1, pad, t: 1, vm: n };
          const { w, at } = setUp([2 * n * 4, n * 4, convInputBytes(s, 'int8')]);
          const f32 = new Float32Array(w.memory.buffer);
          const i16 = new Int16Array(w.memory.buffer);
          const x = Float32Array.from(values);
          f32.set(x, at[0]! / 4);
          f32.set(
            x.map((v) => -v),
            at[0]! / 4 + n,
          );
          i16.fill(99, at[2]! / 2, at[2]! / 2 + convInputBytes(s, 'int8') / 2); // padding must be overwritten
          const inv = Math.fround(1 / scale);
          quantizeInt8Input(w, s, at[0]!, at[1]!, at[2]!, inv);
          const got = Array.from(i16.subarray(at[2]! / 2, at[2]! / 2 + convInputBytes(s, 'int8') / 2));
          const want: number[] = [];
          for (let p = 0; p < pad * n; p++) want.push(0, 0);
          for (let j = 0; j < n; j++) want.push(quantRef(x[j]!, inv), quantRef(-x[j]!, inv));
          for (let p = 0; p < pad * n; p++) want.push(0, 0);
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the convolution equals the integer reference bit for bit (fast-check over shapes and tiles)', () => {
    fc.assert(
      fc.property(shapeArb, (r) => {
        const s: ConvShape = r;
        if (s.t + 2 * s.pad < s.kt) return;
        const next = uint32s(r.seed);
        const int8 = (n: number) => Int8Array.from({ length: n }, () => (next() % 255) - 127);
        const xq = int8(s.cin * s.t * s.vm);
        const wq = int8(s.cout * s.cin * s.kt);
        const scale = Float32Array.from({ length: s.cout }, () => (next() % 1000) / 7919 + 1e-3);
        const bias = Float32Array.from({ length: s.cout }, () => ((next() % 2001) - 1000) / 97);
        const tout = tconvOutLength(s);
        const tile = convTileFor(s.cout);
        const plane = s.t * s.vm;
        const outCount = s.cout * tout * s.vm;
        const { w, at } = setUp([
          outCount * 4,
          s.cin * plane * 4,
          plane * 4 + 16,
          convInputBytes(s, 'int8'),
          convWeightBytes(s, 'int8'),
          s.cout * tout * s.vm * 4,
          s.cout * 4,
          s.cout * 4,
          convEdgeBytes(tile),
        ]);
        const [add, src, zeros, xp, wp, out, sc, bi, edge] = at as number[] as [
          number,
          number,
          number,
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        const added = Float32Array.from({ length: outCount }, () => ((next() % 2001) - 1000) / 13);
        const f32 = new Float32Array(w.memory.buffer);
        // Integers as floats with scale 1 quantise to themselves.
        f32.set(Float32Array.from(xq), src / 4);
        f32.set(scale, sc / 4);
        f32.set(bias, bi / 4);
        f32.set(added, add / 4);
        f32.fill(Number.NaN, out / 4, out / 4 + s.cout * tout * s.vm + 16); // the kernel must write all of it
        packInt8Weights(new Int16Array(w.memory.buffer), wp / 2, wq, s);
        quantizeInt8Input(w, s, src, zeros, xp, 1);
        convSimd(w, s, { x: xp, weights: wp, out, scale: sc, bias: bi, edge, add }, r.epilogue, 'int8');
        const got = f32.slice(out / 4, out / 4 + outCount);
        const want = convRef(xq, wq, scale, bias, s);
        if (r.epilogue === 'addRelu')
          for (let i = 0; i < outCount; i++) want[i] = Math.fround(want[i]! + added[i]!);
        if (r.epilogue !== 'none') for (let i = 0; i < outCount; i++) want[i] = Math.max(want[i]!, 0);
        expect(got).toEqual(want);
        // Nothing written past the output.
        expect(Number.isNaN(f32[out / 4 + s.cout * tout * s.vm]!)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('the float convolution equals a float64 reference (fast-check over shapes, tiles, epilogues)', () => {
    fc.assert(
      fc.property(shapeArb, (r) => {
        const s: ConvShape = r;
        if (s.t + 2 * s.pad < s.kt) return;
        const u = uint32s(r.seed);
        const next = () => u() / 2 ** 32 - 0.5;
        const tout = tconvOutLength(s);
        const outCount = s.cout * tout * s.vm;
        const x = Float32Array.from({ length: s.cin * s.t * s.vm }, next);
        const wt = Float32Array.from({ length: s.cout * s.cin * s.kt }, next);
        const bias = Float32Array.from({ length: s.cout }, next);
        const added = Float32Array.from({ length: outCount }, next);
        const tile = convTileFor(s.cout);
        const { w, at } = setUp([
          outCount * 4,
          convInputBytes(s, 'f32'),
          convWeightBytes(s, 'f32'),
          outCount * 4,
          s.cout * 4,
          convEdgeBytes(tile),
        ]);
        const [add, xp, wp, out, bi, edge] = at as [number, number, number, number, number, number];
        const f32 = new Float32Array(w.memory.buffer);
        f32.fill(Number.NaN, xp / 4, xp / 4 + convInputBytes(s, 'f32') / 4); // padding must be zeroed
        const plane = paddedPlaneBytes(s) / 4;
        for (let c = 0; c < s.cin; c++)
          f32.set(x.subarray(c * s.t * s.vm, (c + 1) * s.t * s.vm), xp / 4 + c * plane + s.pad * s.vm);
        zeroF32Padding(f32, s, xp);
        packF32Weights(f32, wp / 4, wt, s);
        f32.set(bias, bi / 4);
        f32.set(added, add / 4);
        f32.fill(Number.NaN, out / 4, out / 4 + outCount + 16);
        convSimd(w, s, { x: xp, weights: wp, out, scale: 0, bias: bi, edge, add }, r.epilogue, 'f32');
        for (let o = 0; o < s.cout; o++)
          for (let to = 0; to < tout; to++)
            for (let j = 0; j < s.vm; j++) {
              let sum = bias[o]!;
              for (let c = 0; c < s.cin; c++)
                for (let k = 0; k < s.kt; k++) {
                  const ti = to * s.stride + k - s.pad;
                  if (ti >= 0 && ti < s.t)
                    sum += wt[(o * s.cin + c) * s.kt + k]! * x[(c * s.t + ti) * s.vm + j]!;
                }
              const i = (o * tout + to) * s.vm + j;
              if (r.epilogue === 'addRelu') sum += added[i]!;
              if (r.epilogue !== 'none') sum = Math.max(sum, 0);
              expect(Math.abs(f32[out / 4 + i]! - sum)).toBeLessThanOrEqual(1e-5 * (1 + s.cin * s.kt));
            }
        expect(Number.isNaN(f32[out / 4 + outCount]!)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('the sparse graph aggregation with shift and ReLU equals the dense float reference', () => {
    fc.assert(
      fc.property(
        fc.record({
          v: fc.integer({ min: 1, max: 27 }),
          k: fc.integer({ min: 1, max: 3 }),
          channels: fc.integer({ min: 1, max: 5 }),
          rows: fc.integer({ min: 1, max: 11 }),
          density: fc.constantFrom(0.05, 0.3, 1),
          seed: fc.integer(),
        }),
        (r) => {
          const u = uint32s(r.seed);
          const next = () => u() / 2 ** 32;
          const { v, k, channels, rows } = r;
          const a = Float32Array.from({ length: k * v * v }, () => (next() < r.density ? next() - 0.3 : 0));
          const p = rows * v;
          const g = Float32Array.from({ length: k * channels * p }, () => next() * 4 - 2);
          const shift = Float32Array.from({ length: channels }, () => next() - 0.5);
          const entries = aggregateEntries(a, k, v);
          const { w, at } = setUp(
            [g.length * 4, channels * p * 4, channels * 4, aggregateTableBytes(Math.ceil(v / 4), entries)],
            v,
          );
          const [gp, out, sp, tp] = at as [number, number, number, number];
          const f32 = new Float32Array(w.memory.buffer);
          f32.set(g, gp / 4);
          f32.set(shift, sp / 4);
          f32.fill(Number.NaN, out / 4, out / 4 + channels * p);
          const bytes = writeAggregateTable(
            new Int32Array(w.memory.buffer),
            f32,
            tp,
            a,
            k,
            v,
            channels * p * 4,
          );
          expect(bytes).toBe(aggregateTableBytes(Math.ceil(v / 4), entries));
          w.aggregate(gp, out, sp, channels, rows, tp, 0);
          const got = f32.subarray(out / 4, out / 4 + channels * p);
          for (let c = 0; c < channels; c++)
            for (let row = 0; row < rows; row++)
              for (let col = 0; col < v; col++) {
                let s = 0;
                for (let kk = 0; kk < k; kk++)
                  for (let vi = 0; vi < v; vi++)
                    s += g[(kk * channels + c) * p + row * v + vi]! * a[(kk * v + vi) * v + col]!;
                const want = Math.max(s + shift[c]!, 0);
                const i = c * p + row * v + col;
                expect(Math.abs(got[i]! - want)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
              }
        },
      ),
      { numRuns: 100 },
    );
  });
});
