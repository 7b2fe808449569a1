/**
 * The compact single-file model container (".asma"):
 *
 *   bytes 0..7    magic "ASMAMDL\0"
 *   bytes 8..11   format version, u32 little-endian (1)
 *   bytes 12..15  header length H, u32 little-endian (at most 1 MiB)
 *   bytes 16..47  SHA-256 of everything after byte 47 (header and payload)
 *   bytes 48..    UTF-8 JSON header { kind, architecture, metadata, tensors: [{ name, dtype, shape, offset }] }
 *   then          the payload: raw little-endian tensors, each at an 8-byte aligned offset
 *
 * Reading validates every field, offset, size and dtype and the checksum before anything is built; it
 * only ever calls JSON.parse (never eval / Function). Every failure is a ModelFileError naming the file
 * and the field.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { firstNonFinite } from '@asma/autodiff';
import { writeFileAtomic } from '@asma/util/node';

export const MODEL_MAGIC = 'ASMAMDL\0';
export const MODEL_VERSION = 1;
export const MAX_HEADER_BYTES = 1 << 20;
const PREFIX = 48;
const ALIGN = 8;
const MAX_TENSORS = 4096;
const MAX_RANK = 8;

export type ModelDType = 'f32' | 'i8';
export type ModelArray = Float32Array | Int8Array;

export interface ModelTensor {
  dtype: ModelDType;
  shape: number[];
  data: ModelArray;
}

export interface ModelFileContents {
  kind: string;
  architecture: unknown;
  metadata: Record<string, string>;
  tensors: Map<string, ModelTensor>;
}

export class ModelFileError extends Error {
  override name = 'ModelFileError';
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
  ) {
    super(`${file}: ${field}: ${message}`);
  }
}

const bytesPer = (d: ModelDType) => (d === 'f32' ? 4 : 1);

/** Encode a model into the container's bytes. */
export function encodeModel(
  m: Omit<ModelFileContents, 'metadata'> & { metadata?: Record<string, string> },
): Uint8Array {
  const table: { name: string; dtype: ModelDType; shape: number[]; offset: number }[] = [];
  let offset = 0;
  for (const [name, t] of m.tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new RangeError(
        `encodeModel: ${name} has shape [${t.shape.join(', ')}] but ${t.data.length} values`,
      );
    if ((t.dtype === 'f32') !== t.data instanceof Float32Array)
      throw new RangeError(
        `encodeModel: ${name} is declared ${t.dtype} but holds a ${t.data.constructor.name}`,
      );
    table.push({ name, dtype: t.dtype, shape: [...t.shape], offset });
    offset += Math.ceil((n * bytesPer(t.dtype)) / ALIGN) * ALIGN;
  }
  const header = new TextEncoder().encode(
    JSON.stringify({
      kind: m.kind,
      architecture: m.architecture,
      metadata: m.metadata ?? {},
      tensors: table,
    }),
  );
  if (header.length > MAX_HEADER_BYTES)
    throw new RangeError(`encodeModel: header of ${header.length} bytes is too large`);
  const out = new Uint8Array(PREFIX + header.length + offset);
  out.set(new TextEncoder().encode(MODEL_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, MODEL_VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, PREFIX);
  const payload = PREFIX + header.length;
  for (const [i, [, t]] of [...m.tensors].entries()) {
    const at = payload + table[i]!.offset;
    if (t.data instanceof Float32Array)
      for (let j = 0; j < t.data.length; j++) view.setFloat32(at + 4 * j, t.data[j]!, true);
    else out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.length), at);
  }
  out.set(createHash('sha256').update(out.subarray(PREFIX)).digest(), 16);
  return out;
}

export function writeModelFile(path: string, m: Parameters<typeof encodeModel>[0]): number {
  // A model holding NaN or Inf is never written (encodeModel itself stays a plain encoder).
  for (const [name, t] of m.tensors) {
    const bad = t.data instanceof Float32Array ? firstNonFinite(t.data) : -1;
    if (bad >= 0)
      throw new ModelFileError(
        path,
        `tensor ${name}`,
        `holds ${t.data[bad]} at element ${bad}; refusing to write a model with non-finite values`,
      );
  }
  let bytes: Uint8Array;
  try {
    bytes = encodeModel(m);
  } catch (err) {
    throw err instanceof RangeError ? new RangeError(`${path}: ${err.message}`) : err;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, bytes);
  return bytes.length;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decode and validate container bytes; `file` names the source in errors. */
export function decodeModel(bytes: Uint8Array, file = '<bytes>'): ModelFileContents {
  const fail = (field: string, msg: string): never => {
    throw new ModelFileError(file, field, msg);
  };
  if (bytes.length < PREFIX) fail('size', `${bytes.length} bytes is shorter than the ${PREFIX}-byte prefix`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MODEL_MAGIC) fail('magic', 'not an asma model file (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== MODEL_VERSION)
    fail('version', `format version ${version} is not supported (expected ${MODEL_VERSION})`);
  const headerLength = view.getUint32(12, true);
  if (headerLength > MAX_HEADER_BYTES)
    fail('header length', `${headerLength} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (PREFIX + headerLength > bytes.length)
    fail(
      'header length',
      `${headerLength} bytes runs past the end of the ${bytes.length}-byte file (truncated?)`,
    );
  const digest = createHash('sha256').update(bytes.subarray(PREFIX)).digest();
  if (!digest.equals(bytes.subarray(16, PREFIX)))
    fail('checksum', 'SHA-256 mismatch: the file is corrupt or truncated');
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLength)),
    );
  } catch (err) {
    fail('header', `not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(header)) return fail('header', 'must be a JSON object');
  if (typeof header.kind !== 'string') fail('header.kind', 'must be a string');
  const metadata = header.metadata ?? {};
  if (!isPlainObject(metadata) || Object.values(metadata).some((v) => typeof v !== 'string'))
    fail('header.metadata', 'must be an object of strings');
  if (!Array.isArray(header.tensors)) return fail('header.tensors', 'must be an array');
  if (header.tensors.length > MAX_TENSORS) fail('header.tensors', `more than ${MAX_TENSORS} tensors`);
  const payload = PREFIX + headerLength;
  const payloadLength = bytes.length - payload;
  const tensors = new Map<string, ModelTensor>();
  let end = 0;
  for (const [i, e] of (header.tensors as unknown[]).entries()) {
    const f = `header.tensors[${i}]`;
    if (!isPlainObject(e)) return fail(f, 'must be an object');
    const { name, dtype, shape, offset } = e;
    if (typeof name !== 'string' || name.length === 0 || name.length > 256)
      return fail(`${f}.name`, 'must be a string of 1..256 characters');
    if (tensors.has(name)) fail(`${f}.name`, `'${name}' appears twice`);
    if (dtype !== 'f32' && dtype !== 'i8')
      return fail(`${f}.dtype`, `must be 'f32' or 'i8', got ${JSON.stringify(dtype)}`);
    if (
      !Array.isArray(shape) ||
      shape.length > MAX_RANK ||
      !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
    )
      return fail(`${f}.shape`, `must be at most ${MAX_RANK} non-negative integers`);
    if (!Number.isSafeInteger(offset) || (offset as number) < 0 || (offset as number) % ALIGN !== 0)
      return fail(`${f}.offset`, `must be a non-negative multiple of ${ALIGN}`);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const byteLength = count * bytesPer(dtype);
    // Tensors are laid out in table order without overlaps.
    if ((offset as number) < end)
      fail(`${f}.offset`, `${offset} overlaps the previous tensor (which ends at ${end})`);
    if (!(byteLength <= payloadLength) || (offset as number) + byteLength > payloadLength)
      fail(
        `${f}`,
        `'${name}' (${byteLength} bytes at ${offset}) runs past the ${payloadLength}-byte payload`,
      );
    const at = payload + (offset as number);
    let data: ModelArray;
    if (dtype === 'f32') {
      const arr = new Float32Array(count);
      for (let j = 0; j < count; j++) arr[j] = view.getFloat32(at + 4 * j, true);
      const bad = firstNonFinite(arr);
      if (bad >= 0)
        fail(
          `tensor ${name}`,
          `holds ${arr[bad]} at element ${bad} (refusing a model with non-finite values)`,
        );
      data = arr;
    } else data = Int8Array.from(new Int8Array(bytes.buffer, bytes.byteOffset + at, count));
    tensors.set(name, { dtype, shape: [...(shape as number[])], data });
    end = (offset as number) + byteLength;
  }
  return {
    kind: header.kind as string,
    architecture: header.architecture,
    metadata: metadata as Record<string, string>,
    tensors,
  };
}

export function readModelFile(path: string): ModelFileContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new ModelFileError(path, 'file', (err as Error).message);
  }
  return decodeModel(bytes, path);
}
