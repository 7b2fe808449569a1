/**
 * Generates the WebAssembly SIMD element-wise module: the memory-bound ops around the convolutions
 * (batch-norm statistics and affine maps, ReLU masks, residual add + ReLU, dropout). Each does exactly
 * the arithmetic of the JS loops in ../elementwise.ts, so both paths give the same bits:
 * - float32 add / multiply: JS computes in float64 and rounds once, which equals the float32 op;
 * - batch-norm maps and sums run in float64 lanes (f64x2), in the JS loops' order: the sums keep their
 *   four (or two) independent chains per run, with the run's tail on chain 0.
 * Buffers are float32 runs in this module's memory; callers copy chunks in and out (TypedArray.set is a
 * memcpy, ~10x faster per element than a JS loop).
 */

import { DROPOUT_GOLDEN as GOLDEN, DROPOUT_MIX1 as MIX1, DROPOUT_MIX2 as MIX2 } from '../elementwise/hash.js';
import { buildModule, F32, F64, type FuncDef, I32, op, V128 } from './encode.js';
import { bump, bumpBy, countedLoop, indices, repeat } from './tile.js';

const ZERO_V128 = op.v128Zero;
/** Lanes 2-3 of the operand moved down to lanes 0-1 (for promoting the high half). */
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
/** Low halves of two operands side by side (joining two demoted pairs). */
const JOIN_LOW = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/** v = v & (v > 0): ReLU on the float32 lanes of local `v` (NaN, -0 and negatives give +0). */
const reluLocal = (v: number) => [
  ...op.get(v),
  ...op.get(v),
  ...ZERO_V128,
  ...op.f32x4Gt,
  ...op.v128And,
  ...op.set(v),
];

/** `name(o, a, b, vectors)`: o = f(a, b) on f32x4 vectors; `combine` maps locals A, B to a value. */
function binary(name: string, combine: (a: number, b: number) => number[]): FuncDef {
  const [O, A, B, N, VA, VB] = [0, 1, 2, 3, 4, 5];
  return {
    name,
    params: [I32, I32, I32, I32],
    locals: [[2, V128]],
    body: repeat(N, [
      ...op.get(A),
      ...op.v128Load(0),
      ...op.set(VA),
      ...op.get(B),
      ...op.v128Load(0),
      ...op.set(VB),
      ...op.get(O),
      ...combine(VA, VB),
      ...op.v128Store(0),
      ...bump(O, 16),
      ...bump(A, 16),
      ...bump(B, 16),
    ]),
  };
}

/** relu(a + b). */
const addRelu = binary('addRelu', (a, b) => [
  ...op.get(a),
  ...op.get(b),
  ...op.f32x4Add,
  ...op.set(a),
  ...reluLocal(a),
  ...op.get(a),
]);
/** a > 0 ? b : +0, i.e. reluMask(out, src = b, x = a). */
const reluMask = binary('reluMask', (x, src) => [
  ...op.get(src),
  ...op.get(x),
  ...ZERO_V128,
  ...op.f32x4Gt,
  ...op.v128And,
]);
const mul = binary('mul', (a, b) => [...op.get(a), ...op.get(b), ...op.f32x4Mul]);

/**
 * Float64 map over float32 vectors: `name(o, in0, [in1,] vectors, ...f64 params)`. `lanes(first, params)`
 * leaves the f64x2 result for the two promoted lanes held in locals first, first + 1, ... (one per input).
 */
function map64(
  name: string,
  inputs: number,
  f64Params: number,
  lanes: (inputLocals: number[], splats: number[]) => number[],
  relu = false,
): FuncDef {
  const O = 0;
  const IN = Array.from({ length: inputs }, (_, i) => 1 + i);
  const N = 1 + inputs;
  const P = Array.from({ length: f64Params }, (_, i) => N + 1 + i);
  let next = N + 1 + f64Params;
  const splats = P.map(() => next++);
  const loaded = IN.map(() => next++);
  const halves = IN.map(() => next++);
  const [LO, HI] = [next++, next++];
  const half = (shuffle: boolean) => [
    ...IN.flatMap((_, i) => [
      ...op.get(loaded[i]!),
      ...(shuffle ? [...op.get(loaded[i]!), ...op.i8x16Shuffle(HIGH_HALF)] : []),
      ...op.f64x2PromoteLowF32x4,
      ...op.set(halves[i]!),
    ]),
    ...lanes(halves, splats),
  ];
  return {
    name,
    params: [I32, ...IN.map(() => I32), I32, ...P.map(() => F64)],
    locals: [[splats.length + loaded.length + halves.length + 2, V128]],
    body: [
      ...P.flatMap((p, i) => [...op.get(p), ...op.f64x2Splat, ...op.set(splats[i]!)]),
      ...repeat(N, [
        ...IN.flatMap((inp, i) => [...op.get(inp), ...op.v128Load(0), ...op.set(loaded[i]!)]),
        ...half(false),
        ...op.set(LO),
        ...half(true),
        ...op.set(HI),
        ...op.get(LO),
        ...op.f32x4DemoteF64x2Zero,
        ...op.get(HI),
        ...op.f32x4DemoteF64x2Zero,
        ...op.i8x16Shuffle(JOIN_LOW),
        ...op.set(LO),
        ...(relu ? reluLocal(LO) : []),
        ...op.get(O),
        ...op.get(LO),
        ...op.v128Store(0),
        ...bump(O, 16),
        ...IN.flatMap((inp) => bump(inp, 16)),
      ]),
    ],
  };
}

/** o = (x - m) * scale + shift  [then ReLU]. */
const affineLanes = ([x]: number[], [m, scale, shift]: number[]) => [
  ...op.get(x!),
  ...op.get(m!),
  ...op.f64x2Sub,
  ...op.get(scale!),
  ...op.f64x2Mul,
  ...op.get(shift!),
  ...op.f64x2Add,
];
/** o = a * (g - b - (x - m) * k): batch norm's training-mode input gradient. */
const gradInputLanes = ([g, x]: number[], [a, b, m, k]: number[]) => [
  ...op.get(a!),
  ...op.get(g!),
  ...op.get(b!),
  ...op.f64x2Sub,
  ...op.get(x!),
  ...op.get(m!),
  ...op.f64x2Sub,
  ...op.get(k!),
  ...op.f64x2Mul,
  ...op.f64x2Sub,
  ...op.f64x2Mul,
];

/**
 * `name(ptr, runs, inner, shift) -> f64`: sum over `runs` contiguous runs of `inner` floats of
 * term(x - shift) (x - shift or its square), in four float64 chains per element index mod 4 of a run,
 * the run's last inner % 4 elements on chain 0, then ((c0 + c1) + c2) + c3.
 */
function chainSum(name: string, square: boolean): FuncDef {
  const [PTR, RUNS, INNER, SHIFT] = [0, 1, 2, 3];
  const [Q, TAIL, A0, SQ] = [4, 5, 6, 7];
  const [ACC01, ACC23, SH, V, D] = [8, 9, 10, 11, 12];
  const square2 = square ? [...op.tee(D), ...op.get(D), ...op.f64x2Mul] : [];
  const accumulate = (acc: number, shuffle: boolean) => [
    ...op.get(acc),
    ...op.get(V),
    ...(shuffle ? [...op.get(V), ...op.i8x16Shuffle(HIGH_HALF)] : []),
    ...op.f64x2PromoteLowF32x4,
    ...op.get(SH),
    ...op.f64x2Sub,
    ...square2,
    ...op.f64x2Add,
    ...op.set(acc),
  ];
  return {
    name,
    params: [I32, I32, I32, F64],
    results: [F64],
    locals: [
      [2, I32],
      [2, F64],
      [5, V128],
    ],
    body: [
      ...op.get(SHIFT),
      ...op.f64x2Splat,
      ...op.set(SH),
      ...repeat(RUNS, [
        ...op.get(INNER),
        ...op.i32(2),
        ...op.i32ShrU,
        ...op.set(Q),
        ...repeat(Q, [
          ...op.get(PTR),
          ...op.v128Load(0),
          ...op.set(V),
          ...accumulate(ACC01, false),
          ...accumulate(ACC23, true),
          ...bump(PTR, 16),
        ]),
        ...op.get(INNER),
        ...op.i32(3),
        ...op.i32And,
        ...op.set(TAIL),
        ...op.block,
        ...op.get(TAIL),
        ...op.i32Eqz,
        ...op.brIf(0),
        ...op.get(ACC01),
        ...op.f64x2ExtractLane(0),
        ...op.set(A0),
        ...countedLoop(TAIL, [
          ...op.get(A0),
          ...op.get(PTR),
          ...op.f32Load(0),
          ...op.f64PromoteF32,
          ...op.get(SHIFT),
          ...op.f64Sub,
          ...(square ? [...op.tee(SQ), ...op.get(SQ), ...op.f64Mul] : []),
          ...op.f64Add,
          ...op.set(A0),
          ...bump(PTR, 4),
        ]),
        ...op.get(ACC01),
        ...op.get(A0),
        ...op.f64x2ReplaceLane(0),
        ...op.set(ACC01),
        ...op.end,
      ]),
      ...op.get(ACC01),
      ...op.f64x2ExtractLane(0),
      ...op.get(ACC01),
      ...op.f64x2ExtractLane(1),
      ...op.f64Add,
      ...op.get(ACC23),
      ...op.f64x2ExtractLane(0),
      ...op.f64Add,
      ...op.get(ACC23),
      ...op.f64x2ExtractLane(1),
      ...op.f64Add,
    ],
  };
}

/**
 * `gradSums(g, x, runs, inner, m, out)`: out[0] = sum g, out[1] = sum g * (x - m) (float64) over the runs,
 * in two chains per element index mod 2 of a run, an odd run's last element on chain 0.
 */
function gradSums(): FuncDef {
  const [G, X, RUNS, INNER, M, OUT] = [0, 1, 2, 3, 4, 5];
  const [Q, GS, HS] = [6, 7, 8];
  const [ACCG, ACCH, MV, GV] = [9, 10, 11, 12];
  return {
    name: 'gradSums',
    params: [I32, I32, I32, I32, F64, I32],
    locals: [
      [1, I32],
      [2, F64],
      [4, V128],
    ],
    body: [
      ...op.get(M),
      ...op.f64x2Splat,
      ...op.set(MV),
      ...repeat(RUNS, [
        ...op.get(INNER),
        ...op.i32(1),
        ...op.i32ShrU,
        ...op.set(Q),
        ...repeat(Q, [
          ...op.get(G),
          ...op.v128Load64Zero(0),
          ...op.f64x2PromoteLowF32x4,
          ...op.set(GV),
          ...op.get(ACCG),
          ...op.get(GV),
          ...op.f64x2Add,
          ...op.set(ACCG),
          ...op.get(ACCH),
          ...op.get(GV),
          ...op.get(X),
          ...op.v128Load64Zero(0),
          ...op.f64x2PromoteLowF32x4,
          ...op.get(MV),
          ...op.f64x2Sub,
          ...op.f64x2Mul,
          ...op.f64x2Add,
          ...op.set(ACCH),
          ...bump(G, 8),
          ...bump(X, 8),
        ]),
        ...op.get(INNER),
        ...op.i32(1),
        ...op.i32And,
        ...op.if,
        ...op.get(G),
        ...op.f32Load(0),
        ...op.f64PromoteF32,
        ...op.set(GS),
        ...op.get(ACCG),
        ...op.get(ACCG),
        ...op.f64x2ExtractLane(0),
        ...op.get(GS),
        ...op.f64Add,
        ...op.f64x2ReplaceLane(0),
        ...op.set(ACCG),
        ...op.get(X),
        ...op.f32Load(0),
        ...op.f64PromoteF32,
        ...op.get(M),
        ...op.f64Sub,
        ...op.get(GS),
        ...op.f64Mul,
        ...op.set(HS),
        ...op.get(ACCH),
        ...op.get(ACCH),
        ...op.f64x2ExtractLane(0),
        ...op.get(HS),
        ...op.f64Add,
        ...op.f64x2ReplaceLane(0),
        ...op.set(ACCH),
        ...bump(G, 4),
        ...bump(X, 4),
        ...op.end,
      ]),
      ...[ACCG, ACCH].flatMap((acc, i) => [
        ...op.get(OUT),
        ...op.get(acc),
        ...op.f64x2ExtractLane(0),
        ...op.get(acc),
        ...op.f64x2ExtractLane(1),
        ...op.f64Add,
        ...op.f64Store(i * 8),
      ]),
    ],
  };
}

/**
 * `dropout(y, mask, x, vectors, key, base, threshold, scale)`: element i (counted from `base`) keeps
 * when dropoutHash(key, base + i) >= threshold (unsigned), mask = keep ? scale : 0, y = x * mask; four
 * elements per step (the hash of ../elementwise/loops.ts in i32x4 lanes).
 */
function dropout(): FuncDef {
  const [Y, MASK, X, N, KEY, BASE, THR, SCALE] = indices(8);
  const [IDX, H, KEYV, THRV, SCALEV, GOLD, M1, M2, FOUR, M] = indices(10, 8);
  const i32Const = (v: number) => op.v128ConstI32([v, v, v, v]);
  const shiftXor = (k: number) => [
    ...op.get(H),
    ...op.get(H),
    ...op.i32(k),
    ...op.i32x4ShrU,
    ...op.v128Xor,
    ...op.set(H),
  ];
  const mulBy = (c: number) => [...op.get(H), ...op.get(c), ...op.i32x4Mul, ...op.set(H)];
  return {
    name: 'dropout',
    params: [I32, I32, I32, I32, I32, I32, I32, F32],
    locals: [[10, V128]],
    body: [
      ...op.get(BASE),
      ...op.i32x4Splat,
      ...op.v128ConstI32([0, 1, 2, 3]),
      ...op.i32x4Add,
      ...op.set(IDX),
      ...op.get(KEY),
      ...op.i32x4Splat,
      ...op.set(KEYV),
      ...op.get(THR),
      ...op.i32x4Splat,
      ...op.set(THRV),
      ...op.get(SCALE),
      ...op.f32x4Splat,
      ...op.set(SCALEV),
      ...i32Const(GOLDEN),
      ...op.set(GOLD),
      ...i32Const(MIX1),
      ...op.set(M1),
      ...i32Const(MIX2),
      ...op.set(M2),
      ...i32Const(4),
      ...op.set(FOUR),
      ...repeat(N, [
        // h = lowbias32(idx * golden + key)
        ...op.get(IDX),
        ...op.get(GOLD),
        ...op.i32x4Mul,
        ...op.get(KEYV),
        ...op.i32x4Add,
        ...op.set(H),
        ...shiftXor(16),
        ...mulBy(M1),
        ...shiftXor(15),
        ...mulBy(M2),
        ...shiftXor(16),
        ...op.get(SCALEV),
        ...op.get(H),
        ...op.get(THRV),
        ...op.i32x4GeU,
        ...op.v128And,
        ...op.set(M),
        ...op.get(MASK),
        ...op.get(M),
        ...op.v128Store(0),
        ...op.get(Y),
        ...op.get(X),
        ...op.v128Load(0),
        ...op.get(M),
        ...op.f32x4Mul,
        ...op.v128Store(0),
        ...op.get(IDX),
        ...op.get(FOUR),
        ...op.i32x4Add,
        ...op.set(IDX),
        ...bump(Y, 16),
        ...bump(MASK, 16),
        ...bump(X, 16),
      ]),
    ],
  };
}

/** `copyRuns(dst, dstStride, src, srcStride, runs, bytes)`: copies `runs` runs of `bytes` bytes (strides in bytes). */
export function copyRuns(): FuncDef {
  const [DST, DST_STRIDE, SRC, SRC_STRIDE, RUNS, BYTES] = [0, 1, 2, 3, 4, 5];
  return {
    name: 'copyRuns',
    params: [I32, I32, I32, I32, I32, I32],
    locals: [],
    body: repeat(RUNS, [
      ...op.get(DST),
      ...op.get(SRC),
      ...op.get(BYTES),
      ...op.memoryCopy,
      ...bumpBy(DST, DST_STRIDE),
      ...bumpBy(SRC, SRC_STRIDE),
    ]),
  };
}

/** Bytes of the element-wise module (exports `memory` and the functions above). */
export function vectorModuleBytes(pages = 1): Uint8Array {
  return buildModule(
    [
      addRelu,
      reluMask,
      mul,
      map64('affine', 1, 3, affineLanes),
      map64('affineRelu', 1, 3, affineLanes, true),
      map64('gradInput', 2, 4, gradInputLanes),
      chainSum('sum', false),
      chainSum('sumSq', true),
      gradSums(),
      dropout(),
      copyRuns(),
    ],
    pages,
  );
}
