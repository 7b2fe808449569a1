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
import { type FuncDef, I32, V128 } from './encode.js';
import type { KernelShape } from './kernel.js';
import { bump, bumpBy, countedLoop, indices, mov, registerTile, tileV128Locals } from './tile.js';

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
  ] = indices(14);
  const [AP, CP, IP, JP, A, XJ, B, BQ, CI, Q, CR, CB, IS_EDGE, LAST_BYTES, CT] = indices(15, 14);
  const FIRST_V128 = 29;
  // The tile stores address C through CP; here the tile's C address is CT.
  const tile = registerTile(shape, {
    CP: CT,
    CR,
    CB,
    LDC,
    ADD,
    EDGE,
    LAST_BYTES,
    N_LAST,
    IS_EDGE,
    FIRST_V128,
  });
  const depth = [
    ...mov(A, AP),
    ...mov(B, XJ),
    ...mov(CI, CIN),
    ...countedLoop(CI, [
      ...mov(BQ, B),
      ...mov(Q, KT),
      ...countedLoop(Q, [...tile.step(A, BQ), ...bump(A, mr * 4), ...bumpBy(BQ, V_BYTES)]),
      ...bumpBy(B, ROW_BYTES),
    ]),
  ];
  const body = [
    ...tile.setLastBytes,
    ...mov(AP, A_PTR),
    ...mov(CP, C_PTR),
    ...mov(IP, M_PANELS),
    ...countedLoop(IP, [
      ...mov(XJ, X_PTR),
      ...mov(CT, CP),
      ...mov(JP, N_TILES),
      ...countedLoop(JP, [
        ...tile.markEdge(JP),
        ...tile.zero,
        ...depth,
        ...tile.store,
        ...bump(XJ, nr * 4),
        ...bump(CT, nr * 4),
      ]),
      ...bumpBy(AP, A_PANEL),
      // Next row panel of C: mr rows down.
      ...tile.nextRowPanel(CP),
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
