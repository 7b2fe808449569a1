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
import { bump, countedLoop, indices, mov, registerTile, tileV128Locals } from './tile.js';

export function directWeight(shape: KernelShape): FuncDef {
  const { mr, nr } = shape;
  const [TABLE, B_PTR, C_PTR, M_PANELS, N_PANELS, DEPTH, LDC, ADD, N_LAST, EDGE] = indices(10);
  const [TP, CP, IP, JP, B, Q, CR, CB, IS_EDGE, LAST_BYTES, CT] = indices(11, 10);
  const rowBase = indices(mr, 21);
  const row = indices(mr, 21 + mr);
  const FIRST_V128 = 21 + 2 * mr;
  const tile = registerTile(shape, {
    CP: CT,
    CR: CR,
    CB: CB,
    LDC,
    ADD,
    EDGE,
    LAST_BYTES: LAST_BYTES,
    N_LAST,
    IS_EDGE: IS_EDGE,
    FIRST_V128,
  });
  const body = [
    ...tile.setLastBytes,
    ...mov(TP, TABLE),
    ...mov(CP, C_PTR),
    ...mov(IP, M_PANELS),
    ...countedLoop(IP, [
      // This row panel's mr row addresses.
      ...rowBase.flatMap((l, r) => [...op.get(TP), ...op.i32Load(r * 4), ...op.set(l)]),
      ...bump(TP, mr * 4),
      ...mov(B, B_PTR),
      ...mov(CT, CP),
      ...mov(JP, N_PANELS),
      ...countedLoop(JP, [
        ...tile.markEdge(JP),
        ...tile.zero,
        ...rowBase.flatMap((l, r) => mov(row[r], l)),
        ...mov(Q, DEPTH),
        // B runs on through the panels: after one panel's depth it points at the next.
        ...countedLoop(Q, [...tile.step(row, B), ...row.flatMap((l) => bump(l, 4)), ...bump(B, nr * 4)]),
        ...tile.store,
        ...bump(CT, nr * 4),
      ]),
      ...tile.nextRowPanel(CP),
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
