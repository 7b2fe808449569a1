/**
 * Generates `directWeight`: the weight gradient of a stride-1 (kt x 1) convolution without a column
 * matrix. dW^T (rows k = ci*kt + q, columns co) += X (k x cols) @ dy^T (cols x co), where row k of X
 * is cols consecutive floats of the zero-padded input starting at ci*rowLen + q*V: each of a tile's
 * mr rows is read in place through its own pointer (from a table of row addresses), and dy^T comes
 * packed in column panels of nr.
 *
 * `directWeight(tablePtr, bPtr, cPtr, mPanels, nPanels, depth, ldcBytes, add, nLast, edgePtr)`.
 */
import { type FuncDef, I32, op, V128 } from './encode.js';
import type { KernelShape } from './kernel.js';
import { bump, countedLoop, registerTile, tileV128Locals } from './tile.js';

export function directWeight(shape: KernelShape): FuncDef {
  const { mr, nr } = shape;
  const [TABLE, B_PTR, C_PTR, M_PANELS, N_PANELS, DEPTH, LDC, ADD, N_LAST, EDGE] = Array.from(
    { length: 10 },
    (_, i) => i,
  ) as number[] as [number, number, number, number, number, number, number, number, number, number];
  let next = 10;
  const local = () => next++;
  const [TP, CP, IP, JP, B, Q, CR, CB, IS_EDGE, LAST_BYTES, CT] = Array.from({ length: 11 }, local);
  const rowBase = Array.from({ length: mr }, local);
  const row = Array.from({ length: mr }, local);
  const FIRST_V128 = next;
  const tile = registerTile(shape, {
    CP: CT!,
    CR: CR!,
    CB: CB!,
    LDC,
    ADD,
    EDGE,
    LAST_BYTES: LAST_BYTES!,
    FIRST_V128,
  });
  const body = [
    ...op.get(N_LAST),
    ...op.i32(4),
    ...op.i32Mul,
    ...op.set(LAST_BYTES!),
    ...op.get(TABLE),
    ...op.set(TP!),
    ...op.get(C_PTR),
    ...op.set(CP!),
    ...op.get(M_PANELS),
    ...op.set(IP!),
    ...countedLoop(IP!, [
      // This row panel's mr row addresses.
      ...rowBase.flatMap((l, r) => [...op.get(TP!), ...op.i32Load(r * 4), ...op.set(l!)]),
      ...bump(TP!, mr * 4),
      ...op.get(B_PTR),
      ...op.set(B!),
      ...op.get(CP!),
      ...op.set(CT!),
      ...op.get(N_PANELS),
      ...op.set(JP!),
      ...countedLoop(JP!, [
        ...op.get(JP!),
        ...op.i32(1),
        ...op.i32Eq,
        ...op.get(N_LAST),
        ...op.i32(nr),
        ...op.i32Ne,
        ...op.i32And,
        ...op.set(IS_EDGE!),
        ...tile.zero,
        ...rowBase.flatMap((l, r) => [...op.get(l!), ...op.set(row[r]!)]),
        ...op.get(DEPTH),
        ...op.set(Q!),
        // B runs on through the panels: after one panel's depth it points at the next.
        ...countedLoop(Q!, [
          ...tile.step(row as number[], B!),
          ...row.flatMap((l) => bump(l!, 4)),
          ...bump(B!, nr * 4),
        ]),
        ...op.get(IS_EDGE!),
        ...op.if,
        ...tile.edgeTile,
        ...op.else,
        ...tile.fullTile,
        ...op.end,
        ...bump(CT!, nr * 4),
      ]),
      ...op.get(CP!),
      ...op.get(LDC),
      ...op.i32(mr),
      ...op.i32Mul,
      ...op.i32Add,
      ...op.set(CP!),
    ]),
  ];
  return {
    name: 'directWeight',
    params: new Array<number>(10).fill(I32),
    locals: [
      [FIRST_V128 - 10, I32],
      [tileV128Locals(shape), V128],
    ],
    body,
  };
}
