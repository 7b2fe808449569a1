/**
 * Generates the inference module of the compiled plans (one instance and memory per plan): a (kt x 1)
 * convolution in int8 and in float32 with fused epilogues, the int8 quantiser, and the sparse graph
 * aggregation (aggregate.ts).
 *
 * int8: values are held as int16 channel pairs. `i32x4.dot_i16x8_s` multiplies eight int16 lanes and
 * adds neighbouring products, so one instruction does eight multiply-adds when the two lanes of a pair
 * are the same position in two input channels and the weight operand repeats (w[o, 2c, k],
 * w[o, 2c+1, k]). Products are exact in int32 (|q| <= 127); the epilogue requantises to float:
 * acc * scale[o] + bias[o]. float32: the same loops over single channels with mul + add (no relaxed
 * FMA, so results do not depend on the CPU).
 *
 * Layouts (positions p of one channel: frames x (persons * joints), row-major):
 * - activations: per channel pair (int8) or channel (f32) a plane of positions with the conv's zero
 *   padding frames, 4 bytes per position (two int16, or one float);
 * - weights: per block of mr output channels, [plane][tap][row], 4 bytes each, read as splats;
 * - output: float32 planes, `outPlaneBytes` apart.
 */
import { aggregate } from './aggregate.js';
import { buildModule, F32, type FuncDef, I32, op, V128 } from './encode.js';
import { bump, bumpBy, countedLoop, indices, mov, repeat } from './tile.js';

/** Register block: mr output channels x nv vectors of four positions. */
export interface ConvTile {
  mr: number;
  nv: number;
}

/** The tiles the module carries; a layer takes the widest mr dividing its output channels. */
export const CONV_TILES: readonly ConvTile[] = [
  { mr: 4, nv: 2 },
  { mr: 2, nv: 4 },
  { mr: 1, nv: 8 },
];

/** After requantising: nothing, ReLU, or adding a tensor of the output's layout and then ReLU. */
export type ConvEpilogue = 'none' | 'relu' | 'addRelu';
const EPILOGUES: readonly ConvEpilogue[] = ['none', 'relu', 'addRelu'];

/** int8: int16 channel pairs, int32 sums, requantised. f32: float channels, the scale is not read. */
export type ConvKind = 'int8' | 'f32';

export const convName = ({ mr, nv }: ConvTile, epilogue: ConvEpilogue, kind: ConvKind) =>
  `${kind}conv${mr}x${nv}_${epilogue}`;

/** Bytes of the edge scratch a tile spills its last, partial tile of a row into. */
export const convEdgeBytes = ({ mr, nv }: ConvTile) => mr * nv * 16;

/**
 * `conv{mr}x{nv}_{epilogue}(x, w, out, scale, bias, blocks, rows, tiles, lastBytes, xRowBytes, outRowBytes,
 * pairs, kt, tapBytes, pairBytes, outPlaneBytes, edge, addDelta)`: for each block of mr output channels, each of
 * `rows` output rows (x advances xRowBytes, out outRowBytes), `tiles` tiles of 4*nv positions (the last
 * one writes lastBytes through the edge scratch), out = sum over pairs and taps of dot(x, w). The
 * 'addRelu' epilogue reads the added tensor addDelta bytes after each output element.
 */
function conv(tile: ConvTile, epilogue: ConvEpilogue, kind: ConvKind): FuncDef {
  const { mr, nv } = tile;
  const [
    X,
    W,
    OUT,
    SC,
    BI,
    BLOCKS,
    ROWS,
    TILES,
    LAST,
    X_ROW,
    OUT_ROW,
    PAIRS,
    KT,
    TAP,
    PAIR,
    PLANE,
    EDGE,
    ADD,
  ] = indices(18);
  // Counters: NB blocks, ROWC rows, J tiles, CP pairs, Q taps. AR: the added row's address.
  const [XR, OR, XT, OT, J, XC, XK, WP, WK, CP, Q, CR, NB, ROWC, AR] = indices(15, 18);
  const FIRST_V = 33;
  const acc = (r: number, v: number) => FIRST_V + r * nv + v;
  const xv = (v: number) => FIRST_V + mr * nv + v;
  const wv = FIRST_V + mr * nv + nv;
  const scv = wv + 1;
  const biv = wv + 2;
  const zero = Array.from({ length: mr * nv }, (_, i) => [...op.v128Zero, ...op.set(FIRST_V + i)]).flat();
  const tap: number[] = [];
  for (let v = 0; v < nv; v++) tap.push(...op.get(XK), ...op.v128Load(v * 16), ...op.set(xv(v)));
  for (let r = 0; r < mr; r++) {
    tap.push(...op.get(WK), ...op.v128Load32Splat(r * 4), ...op.set(wv));
    for (let v = 0; v < nv; v++)
      tap.push(
        ...op.get(acc(r, v)),
        ...op.get(xv(v)),
        ...op.get(wv),
        ...(kind === 'int8' ? [...op.i32x4DotI16x8S, ...op.i32x4Add] : [...op.f32x4Mul, ...op.f32x4Add]),
        ...op.set(acc(r, v)),
      );
  }
  const depth = [
    ...mov(XC, XT),
    ...mov(WK, WP),
    ...mov(CP, PAIRS),
    ...countedLoop(CP, [
      ...mov(XK, XC),
      ...mov(Q, KT),
      ...countedLoop(Q, [...tap, ...bump(WK, mr * 4), ...bumpBy(XK, TAP)]),
      ...bumpBy(XC, PAIR),
    ]),
  ];
  // Requantise row r's accumulators in place: float(acc) * scale[r] + bias[r] (+ the added tensor's
  // element at the same place, then ReLU, per the epilogue).
  const requant: number[] =
    epilogue === 'addRelu' ? [...op.get(OT), ...op.get(ADD), ...op.i32Add, ...op.set(AR)] : [];
  for (let r = 0; r < mr; r++) {
    requant.push(
      ...op.get(SC),
      ...op.v128Load32Splat(r * 4),
      ...op.set(scv),
      ...op.get(BI),
      ...op.v128Load32Splat(r * 4),
      ...op.set(biv),
    );
    for (let v = 0; v < nv; v++)
      requant.push(
        ...op.get(acc(r, v)),
        ...(kind === 'int8' ? [...op.f32x4ConvertI32x4S, ...op.get(scv), ...op.f32x4Mul] : []),
        ...op.get(biv),
        ...op.f32x4Add,
        ...(epilogue === 'addRelu' ? [...op.get(AR), ...op.v128Load(v * 16), ...op.f32x4Add] : []),
        // max keeps NaN, as the JS ReLU does.
        ...(epilogue === 'none' ? [] : [...op.v128Zero, ...op.f32x4Max]),
        ...op.set(acc(r, v)),
      );
    if (epilogue === 'addRelu') requant.push(...bumpBy(AR, PLANE));
  }
  const rowsOf = (perRow: (r: number) => number[]) => {
    const out: number[] = [...mov(CR, OT)];
    for (let r = 0; r < mr; r++) out.push(...perRow(r), ...bumpBy(CR, PLANE));
    return out;
  };
  const full = rowsOf((r) =>
    Array.from({ length: nv }, (_, v) => [
      ...op.get(CR),
      ...op.get(acc(r, v)),
      ...op.v128Store(v * 16),
    ]).flat(),
  );
  // The last tile of a row: spill to the scratch, then copy its valid bytes to each output row.
  const edge = [
    ...Array.from({ length: mr * nv }, (_, i) => [
      ...op.get(EDGE),
      ...op.get(FIRST_V + i),
      ...op.v128Store(i * 16),
    ]).flat(),
    ...rowsOf((r) => [
      ...op.get(CR),
      ...op.get(EDGE),
      ...op.i32(r * nv * 16),
      ...op.i32Add,
      ...op.get(LAST),
      ...op.memoryCopy,
    ]),
  ];
  const main = [
    ...mov(WP, W),
    ...mov(NB, BLOCKS),
    ...countedLoop(NB, [
      ...mov(XR, X),
      ...mov(OR, OUT),
      ...mov(ROWC, ROWS),
      ...countedLoop(ROWC, [
        ...mov(XT, XR),
        ...mov(OT, OR),
        ...mov(J, TILES),
        ...countedLoop(J, [
          ...zero,
          ...depth,
          ...requant,
          ...op.get(J),
          ...op.i32(1),
          ...op.i32Eq,
          ...op.if,
          ...edge,
          ...op.else,
          ...full,
          ...op.end,
          ...bump(XT, nv * 16),
          ...bump(OT, nv * 16),
        ]),
        ...bumpBy(XR, X_ROW),
        ...bumpBy(OR, OUT_ROW),
      ]),
      // Next block: its weights follow this block's; scales, biases and output planes move by mr.
      ...mov(WP, WK),
      ...bump(SC, mr * 4),
      ...bump(BI, mr * 4),
      ...op.get(OUT),
      ...op.get(PLANE),
      ...op.i32(mr),
      ...op.i32Mul,
      ...op.i32Add,
      ...op.set(OUT),
    ]),
  ];
  return {
    name: convName(tile, epilogue, kind),
    params: new Array<number>(18).fill(I32),
    locals: [
      [FIRST_V - XR, I32],
      [mr * nv + nv + 3, V128],
    ],
    body: main,
  };
}

/**
 * `quantPair(src0, src1, dst, vectors, inv, preBytes, dataBytes, postBytes)`: q = clamp(round(x * inv),
 * -127, 127) of two float channels, four positions at a time, written as int16 pairs (c0, c1) per
 * position. The product is float32 and rounding is to nearest, ties to even (as PyTorch's
 * quantize_per_tensor and ONNX QuantizeLinear round; NaN gives 0), exactly as quantizeInto does it.
 * Then zeroes preBytes before dst and postBytes after dst + dataBytes (the convolution's padding
 * frames; the last vector may spill past dataBytes, so the zeroing comes after).
 */
function quantPair(): FuncDef {
  const [S0, S1, D, N, INV, PRE, DATA, POST] = indices(8);
  const DS = 8;
  const [INVV, HI, LO, A] = indices(4, 9);
  const quant4 = (src: number) => [
    ...op.get(src),
    ...op.v128Load(0),
    ...op.get(INVV),
    ...op.f32x4Mul,
    ...op.f32x4Nearest,
    ...op.i32x4TruncSatF32x4S,
  ];
  // narrow gives (c0 p0..p3, c1 p0..p3); interleave to (c0 p0, c1 p0, c0 p1, ...).
  const INTERLEAVE = [0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15];
  const i16x8 = (x: number) => op.v128ConstI32([0, 0, 0, 0].map(() => (x & 0xffff) | ((x & 0xffff) << 16)));
  return {
    name: 'quantPair',
    params: [I32, I32, I32, I32, F32, I32, I32, I32],
    locals: [
      [1, I32],
      [4, V128],
    ],
    body: [
      ...mov(DS, D),
      ...op.get(INV),
      ...op.f32x4Splat,
      ...op.set(INVV),
      ...i16x8(127),
      ...op.set(HI),
      ...i16x8(-127),
      ...op.set(LO),
      ...repeat(N, [
        ...op.get(D),
        ...quant4(S0),
        ...quant4(S1),
        ...op.i16x8NarrowI32x4S,
        ...op.get(HI),
        ...op.i16x8MinS,
        ...op.get(LO),
        ...op.i16x8MaxS,
        ...op.tee(A),
        ...op.get(A),
        ...op.i8x16Shuffle(INTERLEAVE),
        ...op.v128Store(0),
        ...bump(S0, 16),
        ...bump(S1, 16),
        ...bump(D, 16),
      ]),
      ...op.get(DS),
      ...op.get(PRE),
      ...op.i32Sub,
      ...op.i32(0),
      ...op.get(PRE),
      ...op.memoryFill,
      ...op.get(DS),
      ...op.get(DATA),
      ...op.i32Add,
      ...op.i32(0),
      ...op.get(POST),
      ...op.memoryFill,
    ],
  };
}

/** The inference module for skeletons of `joints` joints (the aggregation bakes in the row length). */
export function inferenceModuleBytes(joints: number, pages = 1): Uint8Array {
  const convs = CONV_TILES.flatMap((tile) =>
    EPILOGUES.flatMap((e) => (['int8', 'f32'] as const).map((kind) => conv(tile, e, kind))),
  );
  return buildModule([...convs, quantPair(), aggregate(joints)], pages);
}

/** The slice of the WebAssembly JS API used here (this package's lib has no DOM/wasm typings). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** One instance of the int8 module with its own linear memory (an inference plan owns one). */
export interface InferenceWasm {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  conv(tile: ConvTile, epilogue: ConvEpilogue, kind: ConvKind): (...args: number[]) => void;
  readonly quantPair: (...args: number[]) => void;
  /** See aggregate.ts. */
  readonly aggregate: (...args: number[]) => void;
}

const compiled = new Map<number, object | null>();

/**
 * A fresh instance for skeletons of `joints` joints (the module is compiled once per joint count), or
 * null where WebAssembly SIMD is missing.
 */
export function instantiateInferenceWasm(joints: number): InferenceWasm | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!compiled.has(joints)) {
    const bytes = inferenceModuleBytes(joints);
    compiled.set(joints, api?.validate(bytes) ? new api.Module(bytes) : null);
  }
  const module = compiled.get(joints);
  if (module === null || module === undefined || api === undefined) return null;
  const { exports } = new api.Instance(module, {});
  return {
    memory: exports.memory as InferenceWasm['memory'],
    conv: (tile, epilogue, kind) => exports[convName(tile, epilogue, kind)] as (...args: number[]) => void,
    quantPair: exports.quantPair as (...args: number[]) => void,
    aggregate: exports.aggregate as (...args: number[]) => void,
  };
}
