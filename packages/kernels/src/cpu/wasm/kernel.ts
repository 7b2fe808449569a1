/**
 * Generates the WebAssembly SIMD part of the float32 gemm:
 * - `macro`: for every (row panel, column panel) pair of packed A (MR x kc per panel, [q][r]) and
 *   packed B (kc x NR per panel, [q][c]) it runs an MR x NR register tile of f32x4 accumulators over
 *   the depth and stores (or adds) the tile into C (row stride ldc). Packing zero-pads partial panels,
 *   so only the last column panel needs care: its tile goes through a small scratch and only its
 *   valid columns are written, which lets C rows be exactly n wide (one memcpy in and out).
 * - `packRows{w}` / `packCols{w}`: turn a staged block (copied into linear memory with one memcpy per
 *   contiguous run) into packed panels of width w, faster than packing element by element in JS.
 */
import { directConv } from './directConv.js';
import { directWeight } from './directWeight.js';
import { buildModule, type FuncDef, I32, op, V128 } from './encode.js';
import { bump, bumpBy, countedLoop, mov, registerTile, tileV128Locals } from './tile.js';
import { copyRuns } from './vector.js';
import { winogradFunctions } from './winograd.js';

export interface KernelShape {
  /** Rows of the register tile (multiple of 4: packRows copies f32x4 vectors). */
  mr: number;
  /** Columns of the register tile (multiple of 4: f32x4 lanes). */
  nr: number;
  /** Depth steps per unrolled iteration of the inner loop. */
  unroll: number;
  /** Multiply-add with relaxed SIMD's f32x4.relaxed_madd (one fused instruction where the CPU has FMA). */
  fma?: boolean;
}

/**
 * The tile used in production: 4 x 8 keeps 8 accumulators + 2 B vectors + 4 splats in the 16 xmm
 * registers. Not unrolled: V8's TurboFan hoists all loads of an unrolled body to its top, which
 * spills accumulators to the stack; unroll 1 compiles to a spill-free loop and measured 1.3-1.8x
 * faster than unroll 2 or 4 (4x12 and 8x4 tiles were slower too).
 */
export const DEFAULT_SHAPE: KernelShape = { mr: 4, nr: 8, unroll: 1 };

/** `macro(aPtr, bPtr, cPtr, mPanels, nPanels, kc, ldcBytes, add, nLast, edgePtr)`; pointers in bytes. */
function macro(shape: KernelShape): FuncDef {
  const { mr, nr, unroll } = shape;
  const [A_PTR, B_PTR, C_PTR, M_PANELS, N_PANELS, KC, LDC, ADD, N_LAST, EDGE] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  ];
  const [AP, CP, IP, JP, A, B, Q, CR, CB, IS_EDGE, LAST_BYTES] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const FIRST_V128 = 21;
  const tile = registerTile(shape, { CP, CR, CB, LDC, ADD, EDGE, LAST_BYTES, N_LAST, IS_EDGE, FIRST_V128 });
  const depthLoop = (u: number, exitTest: number[]): number[] => [
    ...op.block,
    ...op.loop,
    ...exitTest,
    ...op.brIf(1),
    ...Array.from({ length: u }, (_, i) => tile.step(A, B, i)).flat(),
    ...bump(A, mr * 4 * u),
    ...bump(B, nr * 4 * u),
    ...bump(Q, -u),
    ...op.br(0),
    ...op.end,
    ...op.end,
  ];

  const body = [
    ...tile.setLastBytes,
    ...mov(JP, N_PANELS),
    ...countedLoop(JP, [
      // Over column panels of B. The last one is an edge when nLast < nr.
      ...tile.markEdge(JP),
      ...mov(AP, A_PTR),
      ...mov(CP, C_PTR),
      ...mov(IP, M_PANELS),
      ...countedLoop(IP, [
        // Over row panels of A.
        ...tile.zero,
        ...mov(A, AP),
        ...mov(B, B_PTR),
        ...mov(Q, KC),
        ...depthLoop(unroll, [...op.get(Q), ...op.i32(unroll), ...op.i32LtS]),
        ...(unroll > 1 ? depthLoop(1, [...op.get(Q), ...op.i32Eqz]) : []),
        ...tile.store,
        // After the tile, A points at the next row panel and CR at the next tile row.
        ...mov(AP, A),
        ...mov(CP, CR),
      ]),
      // B now points at the next column panel.
      ...mov(B_PTR, B),
      ...bump(C_PTR, nr * 4),
    ]),
  ];
  return {
    name: 'macro',
    params: new Array<number>(10).fill(I32),
    locals: [
      [FIRST_V128 - AP, I32],
      [tileV128Locals(shape), V128],
    ],
    body,
  };
}

/**
 * `packRows{w}(src, dst, panels, kc, ldBytes)`: staged rows q (stride ld) hold w * panels contiguous
 * values each; panel p gets [q][c] = src[q, p*w + c]. Whole f32x4 vectors, no scalar work.
 */
function packRows(w: number): FuncDef {
  const [SRC, DST, PANELS, KC, LD, ROW, Q] = [0, 1, 2, 3, 4, 5, 6];
  const copy = Array.from({ length: w / 4 }, (_, v) => [
    ...op.get(DST),
    ...op.get(ROW),
    ...op.v128Load(v * 16),
    ...op.v128Store(v * 16),
  ]).flat();
  return {
    name: `packRows${w}`,
    params: [I32, I32, I32, I32, I32],
    locals: [[2, I32]],
    body: countedLoop(PANELS, [
      ...op.get(SRC),
      ...op.set(ROW),
      ...op.get(KC),
      ...op.set(Q),
      ...countedLoop(Q, [...copy, ...bump(DST, w * 4), ...bumpBy(ROW, LD)]),
      ...bump(SRC, w * 4),
    ]),
  };
}

/**
 * `packCols{w}(src, dst, panels, kc, ldBytes)`: staged rows j (stride ld) hold kc contiguous values;
 * panel p gets [q][c] = src[p*w + c, q] (a transpose, scalar loads and stores).
 */
function packCols(w: number): FuncDef {
  const [SRC, DST, PANELS, KC, LD, S, D, Q] = [0, 1, 2, 3, 4, 5, 6, 7];
  const column = (c: number) => [
    ...op.get(SRC),
    ...op.get(LD),
    ...op.i32(c),
    ...op.i32Mul,
    ...op.i32Add,
    ...op.set(S),
    ...op.get(DST),
    ...op.set(D),
    ...op.get(KC),
    ...op.set(Q),
    ...countedLoop(Q, [
      ...op.get(D),
      ...op.get(S),
      ...op.f32Load(0),
      ...op.f32Store(c * 4),
      ...bump(S, 4),
      ...bump(D, w * 4),
    ]),
  ];
  return {
    name: `packCols${w}`,
    params: [I32, I32, I32, I32, I32],
    locals: [[3, I32]],
    body: countedLoop(PANELS, [
      ...Array.from({ length: w }, (_, c) => column(c)).flat(),
      // Next panel: w staged rows down, w * kc packed values on.
      ...op.get(SRC),
      ...op.get(LD),
      ...op.i32(w),
      ...op.i32Mul,
      ...op.i32Add,
      ...op.set(SRC),
      ...op.get(DST),
      ...op.get(KC),
      ...op.i32(w * 4),
      ...op.i32Mul,
      ...op.i32Add,
      ...op.set(DST),
    ]),
  };
}

/** Bytes of the module exporting `memory`, `macro`, and the packers for widths mr and nr. */
export function gemmModuleBytes(shape: KernelShape = DEFAULT_SHAPE, pages = 1): Uint8Array {
  if (shape.nr % 4 !== 0 || shape.mr % 4 !== 0)
    throw new Error(`gemm kernel: mr and nr must be multiples of 4, got ${shape.mr} x ${shape.nr}`);
  const widths = [...new Set([shape.mr, shape.nr])];
  return buildModule(
    [
      macro(shape),
      directConv(shape),
      directWeight(shape),
      ...widths.map(packRows),
      ...widths.map(packCols),
      ...winogradFunctions(),
      copyRuns(),
    ],
    pages,
  );
}
