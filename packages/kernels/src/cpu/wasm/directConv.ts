/**
 * Generates `direct`: a stride-1 (kt x 1) convolution straight from a zero-padded input, no column
 * matrix. Output column j = t*V + v of tap q reads input position j + q*V of the padded channel
 * row, so the register tile's nr columns are always nr consecutive floats of the input: the gemm's
 * B panel is read in place instead of being built (im2col), staged and packed per sample.
 *
 * `direct(aPtr, xPtr, cPtr, mPanels, nTiles, cin, kt, vBytes, rowBytes, aPanelBytes, ldcBytes, add,
 * nLast, edgePtr)`: A is the packed weights (row panels of mr, [ci*kt + q][r], aPanelBytes apart),
 * x holds cin padded rows rowBytes apart, C (row stride ldc) receives mPanels*mr rows of nTiles
 * tiles (the last one nLast columns wide). Loop order: row panels outside, so a panel's weights stay
 * in cache while the input streams past.
 */
import { type FuncDef, I32, op, V128 } from './encode.js';
import type { KernelShape } from './kernel.js';
import { bump, bumpBy, countedLoop, registerTile, tileV128Locals } from './tile.js';

export function directConv(shape: KernelShape): FuncDef {
  const { mr, nr } = shape;
  const [
    A_PTR,
    X_PTR,
    C_PTR,
    M_PANELS,
    N_TILES,
    CIN,
    KT,
    V_BYTES,
    ROW_BYTES,
    A_PANEL,
    LDC,
    ADD,
    N_LAST,
    EDGE,
  ] = Array.from({ length: 14 }, (_, i) => i) as [
    number,
    number,
    number,
    number,
    number,
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
  const [AP, CP, IP, JP, A, XJ, B, BQ, CI, Q, CR, CB, IS_EDGE, LAST_BYTES, CT] = Array.from(
    { length: 15 },
    (_, i) => 14 + i,
  ) as [
    number,
    number,
    number,
    number,
    number,
    number,
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
  const FIRST_V128 = 29;
  // The tile stores address C through CP; here the tile's C address is CT.
  const tile = registerTile(shape, { CP: CT, CR, CB, LDC, ADD, EDGE, LAST_BYTES, FIRST_V128 });
  const depth = [
    ...op.get(AP),
    ...op.set(A),
    ...op.get(XJ),
    ...op.set(B),
    ...op.get(CIN),
    ...op.set(CI),
    ...countedLoop(CI, [
      ...op.get(B),
      ...op.set(BQ),
      ...op.get(KT),
      ...op.set(Q),
      ...countedLoop(Q, [...tile.step(A, BQ), ...bump(A, mr * 4), ...bumpBy(BQ, V_BYTES)]),
      ...bumpBy(B, ROW_BYTES),
    ]),
  ];
  const body = [
    ...op.get(N_LAST),
    ...op.i32(4),
    ...op.i32Mul,
    ...op.set(LAST_BYTES),
    ...op.get(A_PTR),
    ...op.set(AP),
    ...op.get(C_PTR),
    ...op.set(CP),
    ...op.get(M_PANELS),
    ...op.set(IP),
    ...countedLoop(IP, [
      ...op.get(X_PTR),
      ...op.set(XJ),
      ...op.get(CP),
      ...op.set(CT),
      ...op.get(N_TILES),
      ...op.set(JP),
      ...countedLoop(JP, [
        ...op.get(JP),
        ...op.i32(1),
        ...op.i32Eq,
        ...op.get(N_LAST),
        ...op.i32(nr),
        ...op.i32Ne,
        ...op.i32And,
        ...op.set(IS_EDGE),
        ...tile.zero,
        ...depth,
        ...op.get(IS_EDGE),
        ...op.if,
        ...tile.edgeTile,
        ...op.else,
        ...tile.fullTile,
        ...op.end,
        ...bump(XJ, nr * 4),
        ...bump(CT, nr * 4),
      ]),
      ...bumpBy(AP, A_PANEL),
      // Next row panel of C: mr rows down.
      ...op.get(CP),
      ...op.get(LDC),
      ...op.i32(mr),
      ...op.i32Mul,
      ...op.i32Add,
      ...op.set(CP),
    ]),
  ];
  return {
    name: 'direct',
    params: new Array<number>(14).fill(I32),
    locals: [
      [FIRST_V128 - AP, I32],
      [tileV128Locals(shape), V128],
    ],
    body,
  };
}
