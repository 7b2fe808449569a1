/**
 * The input and output transforms of the Winograd F(3, 3) temporal convolution (../tconvWinograd.ts),
 * generated into the gemm module so that they share its memory with the direct kernel that does the
 * products. Rows are joint vectors (V floats, processed as whole f32x4 vectors: the last vector of a
 * row spills into the next row, which is written after it, or into slack).
 *
 * F(3, 3) on the points 0, 1, -1, 2, infinity: y = A^T [(G g) . (B^T d)] for 3 outputs y_u =
 * sum_s g_s d_{u+s} of a 5-row input tile d. The transforms use plain multiplies and adds (no FMA),
 * so they round alike on every CPU.
 */
import { type FuncDef, I32, op, V128 } from './encode.js';
import { bump, bumpBy, countedLoop } from './tile.js';

export const WINOGRAD_POINTS = 5;
export const WINOGRAD_OUTPUTS = 3;
/** B^T (5 x 5): row xi maps an input tile to point xi. */
export const BT = [
  [2, -1, -2, 1, 0],
  [0, -2, -1, 1, 0],
  [0, 2, -3, 1, 0],
  [0, -1, 0, 1, 0],
  [0, 2, -1, -2, 1],
];
/** G (5 x 3): row xi maps three taps to point xi. */
export const G = [
  [1 / 2, 0, 0],
  [-1 / 2, -1 / 2, -1 / 2],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 6, 1 / 3, 2 / 3],
  [0, 0, 1],
];
/** A^T (3 x 5): row u gathers the points into output u. */
export const AT = [
  [1, 1, 1, 1, 0],
  [0, 1, -1, 2, 0],
  [0, 1, 1, 4, 1],
];

const f32Const = (v: number): number[] => {
  const b = new Uint8Array(new Float32Array([v]).buffer);
  return [0x43, ...b];
};

/** Pushes sum_e coef[e] * local(first + e) as an f32x4 (coefficients are small integers). */
function combination(coef: readonly number[], first: number): number[] {
  const out: number[] = [];
  let started = false;
  coef.forEach((c, e) => {
    if (c === 0) return;
    const term = [...op.get(first + e)];
    const mag = Math.abs(c);
    if (mag !== 1) term.push(...f32Const(mag), ...op.f32x4Splat, ...op.f32x4Mul);
    if (!started) {
      out.push(...term);
      if (c < 0) out.push(...op.f32x4Neg);
      started = true;
    } else out.push(...term, ...(c < 0 ? op.f32x4Sub : op.f32x4Add));
  });
  return started ? out : [...op.v128Zero];
}

/** A^T's transpose (5 x 3): maps an output-gradient tile (3 rows) to the 5 points. */
export const A = AT[0]!.map((_, xi) => AT.map((row) => row[xi]!));

/**
 * `name(dst, src, channels, tiles, rowVecs, rowBytes, srcChanBytes, dstChanBytes, planeBytes)`: for each
 * channel and tile i, the rows 3i .. 3i + r - 1 (rowBytes apart, from src + ch * srcChanBytes; r = the
 * matrix's columns) become point rows xi of tile i at dst + xi * planeBytes + ch * dstChanBytes +
 * i * rowBytes: B^T for inputs (`winogradInput`), A for output gradients (`winogradGradOut`).
 */
function tileTransform(name: string, matrix: readonly (readonly number[])[]): FuncDef {
  const [DST, SRC, CHANNELS, TILES, ROW_VECS, ROW, SRC_CHAN, DST_CHAN, PLANE] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [I, K, S, D, ST, DT, ROW3] = [9, 10, 11, 12, 13, 14, 15];
  const DV = 16; // the tile's input rows (up to five)
  const body = [
    ...op.get(ROW),
    ...op.i32(3),
    ...op.i32Mul,
    ...op.set(ROW3),
    ...countedLoop(CHANNELS, [
      ...op.get(SRC),
      ...op.set(ST),
      ...op.get(DST),
      ...op.set(DT),
      ...op.get(TILES),
      ...op.set(I),
      ...countedLoop(I, [
        ...op.get(ST),
        ...op.set(S),
        ...op.get(DT),
        ...op.set(D),
        ...op.get(ROW_VECS),
        ...op.set(K),
        ...countedLoop(K, [
          ...Array.from({ length: matrix[0]!.length }, (_, e) => [
            ...op.get(S),
            ...op.get(ROW),
            ...op.i32(e),
            ...op.i32Mul,
            ...op.i32Add,
            ...op.v128Load(0),
            ...op.set(DV + e),
          ]).flat(),
          ...matrix.flatMap((row, xi) => [
            ...op.get(D),
            ...op.get(PLANE),
            ...op.i32(xi),
            ...op.i32Mul,
            ...op.i32Add,
            ...combination(row, DV),
            ...op.v128Store(0),
          ]),
          ...bump(S, 16),
          ...bump(D, 16),
        ]),
        ...bumpBy(ST, ROW3),
        ...bumpBy(DT, ROW),
      ]),
      ...bumpBy(SRC, SRC_CHAN),
      ...bumpBy(DST, DST_CHAN),
    ]),
  ];
  return {
    name,
    params: new Array<number>(9).fill(I32),
    locals: [
      [7, I32],
      [WINOGRAD_POINTS, V128],
    ],
    body,
  };
}

/**
 * `winogradOutput(dst, src, channels, tiles, rowVecs, rowBytes, planeBytes, srcChanBytes, dstChanBytes, bias)`:
 * for each channel ch and tile i, the point rows xi at src + xi * planeBytes + ch * srcChanBytes + i * rowBytes
 * become output rows 3i + u at dst + ch * dstChanBytes + (3i + u) * rowBytes, plus the float bias[ch].
 */
function winogradOutput(): FuncDef {
  const [DST, SRC, CHANNELS, TILES, ROW_VECS, ROW, PLANE, SRC_CHAN, DST_CHAN, BIAS] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  ];
  const [I, K, S, D, ST, DT, ROW3, LAST] = [10, 11, 12, 13, 14, 15, 16, 17];
  const MV = 18; // five point vectors m0..m4
  const B = MV + WINOGRAD_POINTS;
  const body = [
    ...op.get(ROW),
    ...op.i32(3),
    ...op.i32Mul,
    ...op.set(ROW3),
    ...op.get(ROW_VECS),
    ...op.i32(1),
    ...op.i32Sub,
    ...op.i32(16),
    ...op.i32Mul,
    ...op.set(LAST),
    ...countedLoop(CHANNELS, [
      ...op.get(BIAS),
      ...op.v128Load32Splat(0),
      ...op.set(B),
      ...op.get(SRC),
      ...op.set(ST),
      ...op.get(DST),
      ...op.set(DT),
      ...op.get(TILES),
      ...op.set(I),
      ...countedLoop(I, [
        // Last vector first: each row's last vector spills into the next row's first floats,
        // which the later (lower) vectors then rewrite.
        ...op.get(ST),
        ...op.get(LAST),
        ...op.i32Add,
        ...op.set(S),
        ...op.get(DT),
        ...op.get(LAST),
        ...op.i32Add,
        ...op.set(D),
        ...op.get(ROW_VECS),
        ...op.set(K),
        ...countedLoop(K, [
          ...Array.from({ length: WINOGRAD_POINTS }, (_, xi) => [
            ...op.get(S),
            ...op.get(PLANE),
            ...op.i32(xi),
            ...op.i32Mul,
            ...op.i32Add,
            ...op.v128Load(0),
            ...op.set(MV + xi),
          ]).flat(),
          ...AT.flatMap((row, u) => [
            ...op.get(D),
            ...op.get(ROW),
            ...op.i32(u),
            ...op.i32Mul,
            ...op.i32Add,
            ...combination(row, MV),
            ...op.get(B),
            ...op.f32x4Add,
            ...op.v128Store(0),
          ]),
          ...bump(S, -16),
          ...bump(D, -16),
        ]),
        ...bumpBy(ST, ROW),
        ...bumpBy(DT, ROW3),
      ]),
      ...bumpBy(SRC, SRC_CHAN),
      ...bumpBy(DST, DST_CHAN),
      ...bump(BIAS, 4),
    ]),
  ];
  return {
    name: 'winogradOutput',
    params: new Array<number>(10).fill(I32),
    locals: [
      [8, I32],
      [WINOGRAD_POINTS + 1, V128],
    ],
    body,
  };
}

export const winogradFunctions = (): FuncDef[] => [
  tileTransform('winogradInput', BT),
  winogradOutput(),
  tileTransform('winogradGradOut', A),
];
