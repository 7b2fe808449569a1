/**
 * A tiny WebAssembly binary writer: just what the gemm kernel needs (one memory, i32/v128 functions,
 * exports, structured control flow and a handful of MVP and SIMD opcodes). No toolchain: the module
 * is emitted as bytes at load time, so the generator is the source of truth.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

const simd = (code: number, ...imm: number[]) => [0xfd, ...u32(code), ...imm];

/** Unsigned LEB128. */
export function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
export function s32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const name = (s: string): number[] => [...u32(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
const vec = (items: number[][]): number[] => [...u32(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...u32(body.length), ...body];

/** Instruction emitters; each returns its bytes so bodies read as flat lists. */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...u32(depth)],
  brIf: (depth: number) => [0x0d, ...u32(depth)],
  get: (i: number) => [0x20, ...u32(i)],
  set: (i: number) => [0x21, ...u32(i)],
  tee: (i: number) => [0x22, ...u32(i)],
  i32: (v: number) => [0x41, ...s32(v)],
  i32Load: (offset: number) => [0x28, 2, ...u32(offset)],
  f32Load: (offset: number) => [0x2a, 2, ...u32(offset)],
  f32Store: (offset: number) => [0x38, 2, ...u32(offset)],
  f32Zero: [0x43, 0, 0, 0, 0],
  f32Add: [0x92],
  f32Mul: [0x94],
  f64Load: (offset: number) => [0x2b, 3, ...u32(offset)],
  f64Store: (offset: number) => [0x39, 3, ...u32(offset)],
  i32Store: (offset: number) => [0x36, 2, ...u32(offset)],
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64PromoteF32: [0xbb],
  /** memory.copy: pops (dst, src, bytes). */
  memoryCopy: [0xfc, 10, 0, 0],
  i32Xor: [0x73],
  i32Shl: [0x74],
  i32ShrU: [0x76],
  i32Rotl: [0x77],
  i32GeU: [0x4f],
  i32GtU: [0x4b],
  /** Pops (x, y, cond): x when cond != 0, else y. */
  select: [0x1b],
  i32Eqz: [0x45],
  i32Eq: [0x46],
  i32Ne: [0x47],
  i32And: [0x71],
  i32LtS: [0x48],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  /** v128.load with a byte offset immediate (alignment hint 16 bytes). */
  v128Load: (offset: number) => [0xfd, ...u32(0x00), 4, ...u32(offset)],
  /** Load one f32 and splat it to all four lanes. */
  v128Load32Splat: (offset: number) => [0xfd, ...u32(0x09), 2, ...u32(offset)],
  v128Store: (offset: number) => [0xfd, ...u32(0x0b), 4, ...u32(offset)],
  v128Zero: [0xfd, ...u32(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Add: [0xfd, ...u32(0xe4)],
  f32x4Mul: [0xfd, ...u32(0xe6)],
  f32x4Sub: [0xfd, ...u32(0xe5)],
  f32x4Neg: [0xfd, ...u32(0xe1)],
  /** Relaxed SIMD: pops (a, b, c), pushes a * b + c, fused or not as the CPU does it. */
  f32x4RelaxedMadd: [0xfd, ...u32(0x105)],
  /** i8x16.shuffle: lanes 0-15 pick bytes of the first operand, 16-31 of the second. */
  i8x16Shuffle: (lanes: readonly number[]) => simd(0x0d, ...lanes),
  f32x4Splat: simd(0x13),
  f64x2Splat: simd(0x14),
  f64x2ExtractLane: (lane: number) => simd(0x21, lane),
  f64x2ReplaceLane: (lane: number) => simd(0x22, lane),
  f32x4Gt: simd(0x44),
  v128And: simd(0x4e),
  /** Loads 8 bytes into the low half, zeroes the high half. */
  v128Load64Zero: (offset: number) => simd(0x5d, 3, ...u32(offset)),
  f32x4DemoteF64x2Zero: simd(0x5e),
  f64x2PromoteLowF32x4: simd(0x5f),
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
  i32x4Splat: simd(0x11),
  i32x4GeU: simd(0x40),
  i32x4ShrU: simd(0xad),
  i32x4Add: simd(0xae),
  i32x4Mul: simd(0xb5),
  v128Xor: simd(0x51),
  /** int8 path: i32x4.dot_i16x8_s multiplies eight int16 lane pairs and adds adjacent products. */
  i32x4DotI16x8S: simd(0xba),
  i16x8NarrowI32x4S: simd(0x85),
  f32x4ConvertI32x4S: simd(0xfa),
  i32x4TruncSatF32x4S: simd(0xf8),
  /** Round to nearest, ties to even (PyTorch's quantize_per_tensor, ONNX QuantizeLinear). */
  f32x4Nearest: simd(0x6a),
  i16x8MinS: simd(0x96),
  i16x8MaxS: simd(0x98),
  f32x4Pmax: simd(0xeb),
  f32x4Abs: simd(0xe0),
  f32x4Ge: simd(0x46),
  f32x4Min: simd(0xe8),
  f32x4Max: simd(0xe9),
  v128Or: simd(0x50),
  /** memory.fill: pops (dst, byte value, bytes). */
  memoryFill: [0xfc, 11, 0],
  /** v128.const with four i32 lanes. */
  v128ConstI32: (lanes: readonly number[]) => [
    0xfd,
    ...u32(0x0c),
    ...lanes.flatMap((v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]),
  ],
} as const;

export interface FuncDef {
  name: string;
  params: number[];
  /** Extra locals after the params, as (count, type) runs. */
  locals: [number, number][];
  body: number[];
  /** Result types (none by default). */
  results?: number[];
}

/** A module with one exported memory ("memory", `pages` x 64 KiB to start) and the given functions. */
export function buildModule(funcs: FuncDef[], pages: number): Uint8Array {
  const types = funcs.map((f) => [
    0x60,
    ...vec(f.params.map((p) => [p])),
    ...vec((f.results ?? []).map((r) => [r])),
  ]);
  const exports = [[...name('memory'), 0x02, 0], ...funcs.map((f, i) => [...name(f.name), 0x00, ...u32(i)])];
  const codes = funcs.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...u32(n), t])), ...f.body, ...op.end];
    return [...u32(body.length), ...body];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(3, vec(funcs.map((_, i) => u32(i)))),
    ...section(5, vec([[0x00, ...u32(pages)]])),
    ...section(7, vec(exports)),
    ...section(10, vec(codes)),
  ]);
}
