/**
 * Generates the WebAssembly SIMD macro-kernel of the float32 gemm: for every (row panel, column panel)
 * pair of packed A (MR x kc per panel, [q][r]) and packed B (kc x NR per panel, [q][c]) it runs an
 * MR x NR register tile of f32x4 accumulators over the depth and stores (or adds) the tile into a
 * padded C buffer. Packing zero-pads partial panels, so the kernel has no edge cases: the caller copies
 * only the valid part of C out.
 */
import { buildModule, I32, op, V128 } from './encode.js';

export interface KernelShape {
  /** Rows of the register tile. */
  mr: number;
  /** Columns of the register tile (multiple of 4: f32x4 lanes). */
  nr: number;
  /** Depth steps per unrolled iteration of the inner loop. */
  unroll: number;
}

/** The tile used in production: 4 x 8 keeps 8 accumulators + 2 B vectors + 1 splat in 16 xmm registers. */
export const DEFAULT_SHAPE: KernelShape = { mr: 4, nr: 8, unroll: 4 };

// Parameters of `macro(aPtr, bPtr, cPtr, mPanels, nPanels, kc, ldcBytes, add)`, then i32 locals.
const A_PTR = 0;
const B_PTR = 1;
const C_PTR = 2;
const M_PANELS = 3;
const N_PANELS = 4;
const KC = 5;
const LDC = 6;
const ADD = 7;
const AP = 8;
const CP = 9;
const IP = 10;
const JP = 11;
const A = 12;
const B = 13;
const Q = 14;
const CR = 15;
const FIRST_V128 = 16;

/** Bytes of the module exporting `memory` and `macro` for the given tile. */
export function gemmModuleBytes(shape: KernelShape = DEFAULT_SHAPE, pages = 1): Uint8Array {
  const { mr, nr, unroll } = shape;
  if (nr % 4 !== 0) throw new Error(`gemm kernel: nr must be a multiple of 4, got ${nr}`);
  const nv = nr / 4;
  const acc = (r: number, v: number) => FIRST_V128 + r * nv + v;
  const bv = (v: number) => FIRST_V128 + mr * nv + v;
  const av = FIRST_V128 + mr * nv + nv;

  // One depth step u of the unrolled loop: load NR floats of B, splat each A row, multiply-add.
  const step = (u: number): number[] => {
    const out: number[] = [];
    for (let v = 0; v < nv; v++)
      out.push(...op.get(B), ...op.v128Load((u * nr + v * 4) * 4), ...op.set(bv(v)));
    for (let r = 0; r < mr; r++) {
      out.push(...op.get(A), ...op.v128Load32Splat((u * mr + r) * 4), ...op.set(av));
      for (let v = 0; v < nv; v++)
        out.push(
          ...op.get(acc(r, v)),
          ...op.get(av),
          ...op.get(bv(v)),
          ...op.f32x4Mul,
          ...op.f32x4Add,
          ...op.set(acc(r, v)),
        );
    }
    return out;
  };
  const bump = (local: number, by: number) => [
    ...op.get(local),
    ...op.i32(by),
    ...op.i32Add,
    ...op.set(local),
  ];
  const depthLoop = (u: number, exitTest: number[]): number[] => [
    ...op.block,
    ...op.loop,
    ...exitTest,
    ...op.brIf(1),
    ...Array.from({ length: u }, (_, i) => step(i)).flat(),
    ...bump(A, mr * 4 * u),
    ...bump(B, nr * 4 * u),
    ...bump(Q, -u),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];
  const rows = (perRow: (r: number) => number[]): number[] => {
    const out: number[] = [...op.get(CP), ...op.set(CR)];
    for (let r = 0; r < mr; r++)
      out.push(...perRow(r), ...op.get(CR), ...op.get(LDC), ...op.i32Add, ...op.set(CR));
    return out;
  };
  const addC = rows((r) =>
    Array.from({ length: nv }, (_, v) => [
      ...op.get(acc(r, v)),
      ...op.get(CR),
      ...op.v128Load(v * 16),
      ...op.f32x4Add,
      ...op.set(acc(r, v)),
    ]).flat(),
  );
  const storeC = rows((r) =>
    Array.from({ length: nv }, (_, v) => [
      ...op.get(CR),
      ...op.get(acc(r, v)),
      ...op.v128Store(v * 16),
    ]).flat(),
  );

  const body = [
    ...op.get(N_PANELS),
    ...op.set(JP),
    ...op.loop, // over column panels of B
    ...op.get(A_PTR),
    ...op.set(AP),
    ...op.get(C_PTR),
    ...op.set(CP),
    ...op.get(M_PANELS),
    ...op.set(IP),
    ...op.loop, // over row panels of A
    ...Array.from({ length: mr * nv }, (_, i) => [...op.v128Zero, ...op.set(FIRST_V128 + i)]).flat(),
    ...op.get(AP),
    ...op.set(A),
    ...op.get(B_PTR),
    ...op.set(B),
    ...op.get(KC),
    ...op.set(Q),
    ...depthLoop(unroll, [...op.get(Q), ...op.i32(unroll), ...op.i32LtS]),
    ...depthLoop(1, [...op.get(Q), ...op.i32Eqz]),
    ...op.get(ADD),
    ...op.if,
    ...addC,
    ...op.end,
    ...storeC,
    // After the tile, A points at the next row panel and CR at the next tile row.
    ...op.get(A),
    ...op.set(AP),
    ...op.get(CR),
    ...op.set(CP),
    ...op.get(IP),
    ...op.i32(1),
    ...op.i32Sub,
    ...op.tee(IP),
    ...op.brIf(0),
    ...op.end,
    // B now points at the next column panel.
    ...op.get(B),
    ...op.set(B_PTR),
    ...bump(C_PTR, nr * 4),
    ...op.get(JP),
    ...op.i32(1),
    ...op.i32Sub,
    ...op.tee(JP),
    ...op.brIf(0),
    ...op.end,
  ];
  return buildModule(
    [
      {
        name: 'macro',
        params: [I32, I32, I32, I32, I32, I32, I32, I32],
        locals: [
          [CR - AP + 1, I32],
          [mr * nv + nv + 1, V128],
        ],
        body,
      },
    ],
    pages,
  );
}
