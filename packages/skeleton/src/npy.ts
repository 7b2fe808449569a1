// .npy bytes in memory, both ways; reading and writing .npy files is Node's (node/npy-file.ts).
import { formatNpyHeader, type NpyDtype, parseNpyHeader, parsePrefix } from './npy-header.js';

export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array;

/** An array as stored in an .npy file: C order, explicit shape. */
export interface NpyArray<D extends NpyData = NpyData> {
  dtype: NpyDtype;
  shape: number[];
  data: D;
}

export interface NpyReadOptions {
  /** Convert <f8 data to float32 (other dtypes are returned as stored). */
  asFloat32?: boolean;
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('@asma/skeleton npy: big-endian hosts are not supported');
}

/** The typed array over `buf` for `dtype` (shared with node/npy-file.ts, as are the two below). */
export function npyView(dtype: NpyDtype, buf: ArrayBuffer): NpyData {
  switch (dtype) {
    case '<f4':
      return new Float32Array(buf);
    case '<f8':
      return new Float64Array(buf);
    case '<i4':
      return new Int32Array(buf);
    case '<i8':
      return new BigInt64Array(buf);
  }
}

export function npyConvert(data: NpyData, opts: NpyReadOptions): NpyData {
  return opts.asFloat32 && data instanceof Float64Array ? Float32Array.from(data) : data;
}

export function npyDtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof BigInt64Array) return '<i8';
  throw new TypeError('npy: data must be a Float32Array, Float64Array, Int32Array or BigInt64Array');
}

/** Parse .npy bytes held in memory; `name` is used in error messages. */
export function decodeNpy(bytes: Uint8Array, name = '<bytes>', opts: NpyReadOptions = {}): NpyArray {
  const { dataOffset } = parsePrefix(bytes.subarray(0, 12), name);
  const header = parseNpyHeader(bytes.subarray(0, Math.min(bytes.length, dataOffset)), name, bytes.length);
  const buf = bytes.slice(header.dataOffset).buffer;
  const data = npyConvert(npyView(header.dtype, buf), opts);
  return { dtype: npyDtypeOf(data), shape: [...header.shape], data };
}

function checkShape(shape: readonly number[], length: number, what: string): void {
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw new RangeError(`${what}: bad shape [${shape.join(', ')}]`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== length)
    throw new RangeError(`${what}: shape [${shape.join(', ')}] needs ${size} elements, data has ${length}`);
}

/** The bytes of an .npy file (version 1.0 unless the header is huge). */
export function encodeNpy(data: NpyData, shape: readonly number[]): Uint8Array {
  checkShape(shape, data.length, 'encodeNpy');
  const header = formatNpyHeader(npyDtypeOf(data), shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), header.length);
  return out;
}

/** BigInt64Array from plain integers, for int64 label files. */
export function int64Array(values: ArrayLike<number>): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
  return out;
}

/** Plain numbers from an integer array; throws if a value is not a safe integer. */
export function toNumbers(data: NpyData, what = 'npy'): number[] {
  const out = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]!);
    if (typeof data[i] === 'bigint' && !Number.isSafeInteger(v))
      throw new RangeError(`${what}: value ${data[i]} at ${i} is not a safe integer`);
    out[i] = v;
  }
  return out;
}

export { formatNpyHeader, type NpyDtype, NpyError, type NpyHeader, parseNpyHeader } from './npy-header.js';
