/**
 * safetensors encode/decode (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__":
 * {string: string}}, then the raw little-endian tensor bytes; offsets are relative to the data section,
 * which must be covered exactly, without holes or overlaps. Like the reference writer we pad the header
 * with spaces to a multiple of 8 so the data section starts aligned.
 *
 * Float tensors come back as Tensor (F32 -> float32, F64 -> float64, F16/BF16 -> float32 widened);
 * integer and boolean tensors as IntTensor (I64 -> BigInt64Array, I32 -> Int32Array, U8/BOOL -> Uint8Array).
 */
import { Tensor } from '../tensor.js';
import { IntTensor } from './int-tensor.js';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'U8' | 'BOOL';
export type StoredTensor = Tensor | IntTensor;
export type TensorEntries =
  | Map<string, StoredTensor>
  | Record<string, StoredTensor>
  | Iterable<[string, StoredTensor]>;

const ELEMENT_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  U8: 1,
  BOOL: 1,
};
/** The reference implementation refuses headers above 100 MB; so do we (it also bounds a corrupt length). */
const MAX_HEADER_BYTES = 100_000_000;

/** A malformed or unsupported safetensors file; names the file and, where known, the tensor. */
export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    readonly tensor: string | null,
    detail: string,
  ) {
    super(`${file}: ${tensor === null ? '' : `tensor "${tensor}": `}${detail}`);
    this.name = 'SafetensorsError';
  }
}

export interface SafetensorsFile {
  /** In data-offset order (the order they were written). */
  tensors: Map<string, StoredTensor>;
  /** The stored dtype of each tensor (F16/BF16 are widened to float32 Tensors on read). */
  dtypes: Map<string, SafetensorsDtype>;
  metadata: Record<string, string>;
}

function entriesOf(tensors: TensorEntries): [string, StoredTensor][] {
  if (tensors instanceof Map) return [...tensors.entries()];
  if (Symbol.iterator in tensors) return [...(tensors as Iterable<[string, StoredTensor]>)];
  return Object.entries(tensors);
}

function storedDtype(t: StoredTensor): SafetensorsDtype {
  if (t instanceof Tensor) return t.dtype === 'float64' ? 'F64' : 'F32';
  return ({ int64: 'I64', int32: 'I32', uint8: 'U8', bool: 'BOOL' } as const)[t.dtype];
}

/** Serialise tensors (in the given order) and optional string metadata into safetensors bytes. */
export function encodeSafetensors(
  tensors: TensorEntries,
  metadata?: Record<string, string>,
  file = '<buffer>',
): Uint8Array {
  const entries = entriesOf(tensors);
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== 'string')
        throw new SafetensorsError(file, null, `metadata "${k}" must be a string, got ${typeof v}`);
    header.__metadata__ = metadata;
  }
  let offset = 0;
  const seen = new Set<string>();
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new SafetensorsError(file, name, 'the name __metadata__ is reserved');
    if (seen.has(name)) throw new SafetensorsError(file, name, 'duplicate tensor name');
    if (!(t instanceof Tensor) && !(t instanceof IntTensor))
      throw new SafetensorsError(file, name, 'expected a Tensor or IntTensor');
    seen.add(name);
    const bytes = t.data.byteLength;
    header[name] = { dtype: storedDtype(t), shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - (jsonBytes % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const [, t] of entries) {
    writeLittleEndian(out, pos, t);
    pos += t.data.byteLength;
  }
  return out;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeLittleEndian(out: Uint8Array, pos: number, t: StoredTensor): void {
  const d = t.data;
  if (HOST_LITTLE_ENDIAN) {
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + pos, d.byteLength);
  for (let i = 0; i < d.length; i++) {
    if (d instanceof Float64Array) view.setFloat64(i * 8, d[i]!, true);
    else if (d instanceof Float32Array) view.setFloat32(i * 4, d[i]!, true);
    else if (d instanceof BigInt64Array) view.setBigInt64(i * 8, d[i]!, true);
    else if (d instanceof Int32Array) view.setInt32(i * 4, d[i]!, true);
    else view.setUint8(i, d[i]!);
  }
}

/** Parse safetensors bytes; `file` names the source in errors. Validates the header completely. */
export function decodeSafetensors(bytes: Uint8Array, file = '<buffer>'): SafetensorsFile {
  if (bytes.length < 8)
    throw new SafetensorsError(
      file,
      null,
      `file is ${bytes.length} bytes, shorter than the 8-byte header length`,
    );
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES))
    throw new SafetensorsError(file, null, `header length ${n64} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(n64);
  if (8 + n > bytes.length)
    throw new SafetensorsError(
      file,
      null,
      `header length ${n} runs past the end of the file (${bytes.length} bytes): truncated or not safetensors`,
    );
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError(file, null, 'header is not valid UTF-8');
  }
  if (!text.startsWith('{'))
    throw new SafetensorsError(
      file,
      null,
      `header must be a JSON object starting with "{", got ${JSON.stringify(text.slice(0, 16))}`,
    );
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(file, null, `header is not valid JSON (${(err as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw new SafetensorsError(file, null, 'header must be a JSON object');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;

  const metadata: Record<string, string> = {};
  interface Entry {
    name: string;
    dtype: SafetensorsDtype;
    shape: number[];
    begin: number;
    end: number;
  }
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        throw new SafetensorsError(file, null, '__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string')
          throw new SafetensorsError(
            file,
            null,
            `__metadata__."${k}" must be a string, got ${JSON.stringify(v)}`,
          );
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(file, name, raw, dataLength));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of entries) {
    if (e.begin !== covered)
      throw new SafetensorsError(
        file,
        e.name,
        e.begin < covered
          ? `data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (which ends at ${covered})`
          : `hole in the data section between ${covered} and ${e.begin}`,
      );
    covered = e.end;
  }
  if (covered !== dataLength)
    throw new SafetensorsError(
      file,
      null,
      `tensors cover ${covered} bytes of a ${dataLength}-byte data section (truncated, or trailing bytes)`,
    );

  const tensors = new Map<string, StoredTensor>();
  const dtypes = new Map<string, SafetensorsDtype>();
  for (const e of entries) {
    tensors.set(e.name, decodeData(bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype, e.shape));
    dtypes.set(e.name, e.dtype);
  }
  return { tensors, dtypes, metadata };
}

function parseEntry(file: string, name: string, raw: unknown, dataLength: number) {
  const fail = (detail: string): never => {
    throw new SafetensorsError(file, name, detail);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    fail('entry must be an object {dtype, shape, data_offsets}');
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in ELEMENT_BYTES))
    fail(`unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(ELEMENT_BYTES).join(', ')})`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    fail(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
  )
    fail(`data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(offsets)}`);
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength)
    fail(`data_offsets [${begin}, ${end}] run past the ${dataLength}-byte data section (truncated file?)`);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  const want = count * ELEMENT_BYTES[dtype as SafetensorsDtype];
  if (want !== end - begin)
    fail(
      `shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${want} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  return { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end };
}

/** Copy out of the (possibly unaligned) file buffer into a fresh typed array. */
function decodeData(src: Uint8Array, dtype: SafetensorsDtype, shape: number[]): StoredTensor {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const n = src.byteLength / ELEMENT_BYTES[dtype];
  switch (dtype) {
    case 'F64': {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getFloat64(i * 8, true);
      return new Tensor(a, shape);
    }
    case 'F32': {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getFloat32(i * 4, true);
      return new Tensor(a, shape);
    }
    case 'F16': {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = halfToFloat(dv.getUint16(i * 2, true));
      return new Tensor(a, shape);
    }
    case 'BF16': {
      const a = new Float32Array(n);
      const bits = new Uint32Array(a.buffer);
      for (let i = 0; i < n; i++) bits[i] = dv.getUint16(i * 2, true) << 16;
      return new Tensor(a, shape);
    }
    case 'I64': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getBigInt64(i * 8, true);
      return new IntTensor(a, shape, 'int64');
    }
    case 'I32': {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) a[i] = dv.getInt32(i * 4, true);
      return new IntTensor(a, shape, 'int32');
    }
    case 'U8':
    case 'BOOL':
      // A fresh Uint8Array: src may be a Node Buffer, whose slice() would share the file's memory.
      return new IntTensor(new Uint8Array(src), shape, dtype === 'BOOL' ? 'bool' : 'uint8');
  }
}

/** IEEE 754 binary16 bits -> number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
