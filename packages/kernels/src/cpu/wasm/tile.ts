/**
 * Pieces of generated code shared by the gemm macro-kernel and the direct convolution: local
 * bumps, counted loops, and the mr x nr register tile (zero, depth step, full and edge stores).
 */
import { op } from './encode.js';
import type { KernelShape } from './kernel.js';

export const bump = (local: number, by: number) => [
  ...op.get(local),
  ...op.i32(by),
  ...op.i32Add,
  ...op.set(local),
];
export const bumpBy = (local: number, byLocal: number) => [
  ...op.get(local),
  ...op.get(byLocal),
  ...op.i32Add,
  ...op.set(local),
];
/** `loop ... (local -= 1) != 0` : a do-while over a positive count held in `counter`. */
export const countedLoop = (counter: number, body: number[]) => [
  ...op.loop,
  ...body,
  ...op.get(counter),
  ...op.i32(1),
  ...op.i32Sub,
  ...op.tee(counter),
  ...op.brIf(0),
  ...op.end,
];

/** Runs `body` `counter` times (the counter may be 0). */
export const repeat = (counter: number, body: number[]) => [
  ...op.block,
  ...op.get(counter),
  ...op.i32Eqz,
  ...op.brIf(0),
  ...countedLoop(counter, body),
  ...op.end,
];

/** `count` consecutive local indices from `first` (params first, then locals). */
export const indices = (count: number, first = 0): number[] =>
  Array.from({ length: count }, (_, i) => first + i);

/** `to = from` between locals. */
export const mov = (to: number, from: number) => [...op.get(from), ...op.set(to)];

/** Locals the register-tile code reads and writes (indices into the function's locals). */
export interface TileLocals {
  /** Byte address of the tile's first C element. */
  CP: number;
  /** Scratch: the current C row while storing. */
  CR: number;
  /** Scratch: byte offset within an edge row. */
  CB: number;
  /** Row stride of C in bytes. */
  LDC: number;
  /** Non-zero: add the tile into C instead of overwriting. */
  ADD: number;
  /** Byte address of an mr x nr float scratch for edge tiles. */
  EDGE: number;
  /** Valid columns of an edge tile, in bytes (set from N_LAST by `setLastBytes`). */
  LAST_BYTES: number;
  /** Valid columns of the last column panel (1..nr). */
  N_LAST: number;
  /** Scratch: non-zero while the current tile is the last column panel's and nLast < nr. */
  IS_EDGE: number;
  /** First of the tile's v128 locals: mr * nr/4 accumulators, nr/4 B vectors, one A splat. */
  FIRST_V128: number;
}

/** v128 locals a tile of this shape needs. */
export const tileV128Locals = ({ mr, nr }: KernelShape) => (mr * nr) / 4 + nr / 4 + 1;

/**
 * The register tile shared by the gemm and the direct convolutions: zeroing, one depth step
 * (nr floats of B at local `b` + u*nr; mr splats of A at local `a` + u*mr, or, when `a` lists one
 * local per row, at each of those addresses), and the stores.
 */
export function registerTile({ mr, nr, fma }: KernelShape, L: TileLocals) {
  const nv = nr / 4;
  const acc = (r: number, v: number) => L.FIRST_V128 + r * nv + v;
  const bv = (v: number) => L.FIRST_V128 + mr * nv + v;
  const av = L.FIRST_V128 + mr * nv + nv;
  const zero = Array.from({ length: mr * nv }, (_, i) => [
    ...op.v128Zero,
    ...op.set(L.FIRST_V128 + i),
  ]).flat();
  const step = (a: number | readonly number[], b: number, u = 0): number[] => {
    const splat = (r: number) =>
      typeof a === 'number'
        ? [...op.get(a), ...op.v128Load32Splat((u * mr + r) * 4)]
        : [...op.get(a[r]!), ...op.v128Load32Splat(u * 4)];
    const out: number[] = [];
    for (let v = 0; v < nv; v++)
      out.push(...op.get(b), ...op.v128Load((u * nr + v * 4) * 4), ...op.set(bv(v)));
    for (let r = 0; r < mr; r++) {
      out.push(...splat(r), ...op.set(av));
      for (let v = 0; v < nv; v++)
        out.push(
          ...(fma
            ? [...op.get(av), ...op.get(bv(v)), ...op.get(acc(r, v)), ...op.f32x4RelaxedMadd]
            : [...op.get(acc(r, v)), ...op.get(av), ...op.get(bv(v)), ...op.f32x4Mul, ...op.f32x4Add]),
          ...op.set(acc(r, v)),
        );
    }
    return out;
  };
  const rows = (perRow: (r: number) => number[]): number[] => {
    const out: number[] = [...op.get(L.CP), ...op.set(L.CR)];
    for (let r = 0; r < mr; r++) out.push(...perRow(r), ...bumpBy(L.CR, L.LDC));
    return out;
  };
  const fullTile = [
    ...op.get(L.ADD),
    ...op.if,
    ...rows((r) =>
      Array.from({ length: nv }, (_, v) => [
        ...op.get(acc(r, v)),
        ...op.get(L.CR),
        ...op.v128Load(v * 16),
        ...op.f32x4Add,
        ...op.set(acc(r, v)),
      ]).flat(),
    ),
    ...op.end,
    ...rows((r) =>
      Array.from({ length: nv }, (_, v) => [
        ...op.get(L.CR),
        ...op.get(acc(r, v)),
        ...op.v128Store(v * 16),
      ]).flat(),
    ),
  ];
  // do { C[r, cb] = tile[r, cb] + (add ? C[r, cb] : 0); cb += 4 } while (cb != lastBytes)
  const edgeRow = (r: number): number[] => [
    ...op.i32(0),
    ...op.set(L.CB),
    ...op.loop,
    ...op.get(L.CR),
    ...op.get(L.CB),
    ...op.i32Add,
    ...op.get(L.EDGE),
    ...op.get(L.CB),
    ...op.i32Add,
    ...op.f32Load(r * nr * 4),
    ...op.get(L.CR),
    ...op.get(L.CB),
    ...op.i32Add,
    ...op.f32Load(0),
    ...op.f32Zero,
    ...op.get(L.ADD),
    ...op.select,
    ...op.f32Add,
    ...op.f32Store(0),
    ...bump(L.CB, 4),
    ...op.get(L.CB),
    ...op.get(L.LAST_BYTES),
    ...op.i32Ne,
    ...op.brIf(0),
    ...op.end,
  ];
  // Partial last column panel: spill the tile, then write its valid columns one by one.
  const edgeTile = [
    ...Array.from({ length: mr * nv }, (_, i) => [
      ...op.get(L.EDGE),
      ...op.get(L.FIRST_V128 + i),
      ...op.v128Store(i * 16),
    ]).flat(),
    ...rows(edgeRow),
  ];
  const setLastBytes = [...op.get(L.N_LAST), ...op.i32(4), ...op.i32Mul, ...op.set(L.LAST_BYTES)];
  // IS_EDGE = (counter == 1) && (nLast != nr): the last column panel, when it is partial.
  const markEdge = (counter: number) => [
    ...op.get(counter),
    ...op.i32(1),
    ...op.i32Eq,
    ...op.get(L.N_LAST),
    ...op.i32(nr),
    ...op.i32Ne,
    ...op.i32And,
    ...op.set(L.IS_EDGE),
  ];
  const store = [...op.get(L.IS_EDGE), ...op.if, ...edgeTile, ...op.else, ...fullTile, ...op.end];
  // local += mr rows of C.
  const nextRowPanel = (local: number) => [
    ...op.get(local),
    ...op.get(L.LDC),
    ...op.i32(mr),
    ...op.i32Mul,
    ...op.i32Add,
    ...op.set(local),
  ];
  return { zero, step, fullTile, edgeTile, setLastBytes, markEdge, store, nextRowPanel };
}
