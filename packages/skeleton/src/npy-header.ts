/**
 * NumPy .npy header parsing and formatting (format versions 1.0, 2.0, 3.0).
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */

export type NpyDtype = '<f4' | '<f8' | '<i4' | '<i8';

const ITEM_SIZE: Record<NpyDtype, number> = { '<f4': 4, '<f8': 8, '<i4': 4, '<i8': 8 };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Largest header we accept; NumPy's own default limit is 10,000 bytes. */
export const MAX_HEADER_BYTES = 1 << 20;

export function itemSize(dtype: NpyDtype): number {
  return ITEM_SIZE[dtype];
}

/** Bad .npy input: names the file and the field that is wrong. */
export class NpyError extends Error {
  override name = 'NpyError';
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: ${field}: ${detail}`);
  }
}

export interface NpyHeader {
  version: [major: number, minor: number];
  dtype: NpyDtype;
  shape: number[];
  /** Byte offset of the first element (magic + version + length + header dict). */
  dataOffset: number;
  /** Number of elements = product of the shape (1 for a 0-d array). */
  size: number;
}

/**
 * Bytes needed before the header dict can be parsed: 10 for version 1.0, 12 for 2.0 / 3.0.
 * Returns the total header length (data offset) once the fixed prefix is known.
 */
export function parsePrefix(
  prefix: Uint8Array,
  file: string,
): { version: [number, number]; dataOffset: number; dictStart: number } {
  if (prefix.length < 8)
    throw new NpyError(file, 'magic', `file is ${prefix.length} bytes, too short for an .npy header`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (prefix[i] !== MAGIC[i])
      throw new NpyError(file, 'magic', 'not an .npy file (expected the bytes \\x93NUMPY)');
  }
  const major = prefix[6]!;
  const minor = prefix[7]!;
  if (![1, 2, 3].includes(major) || minor !== 0) {
    throw new NpyError(
      file,
      'version',
      `unsupported format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`,
    );
  }
  const lenBytes = major === 1 ? 2 : 4;
  if (prefix.length < 8 + lenBytes)
    throw new NpyError(file, 'header_len', 'file ends inside the header length');
  const dv = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (headerLen > MAX_HEADER_BYTES)
    throw new NpyError(
      file,
      'header_len',
      `header of ${headerLen} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`,
    );
  const dictStart = 8 + lenBytes;
  return { version: [major, minor], dataOffset: dictStart + headerLen, dictStart };
}

/**
 * Parse a complete header (the bytes from 0 to at least dataOffset). `fileSize`, when given, must
 * equal dataOffset + size * itemsize exactly (truncated files and trailing bytes are errors).
 */
export function parseNpyHeader(bytes: Uint8Array, file: string, fileSize?: number): NpyHeader {
  const { version, dataOffset, dictStart } = parsePrefix(bytes, file);
  if (bytes.length < dataOffset)
    throw new NpyError(
      file,
      'header',
      `file ends inside the header (needs ${dataOffset} bytes, has ${bytes.length})`,
    );
  const raw = bytes.subarray(dictStart, dataOffset);
  let text: string;
  if (version[0] === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new NpyError(file, 'header', 'header is not valid UTF-8');
    }
  } else {
    for (const b of raw)
      if (b > 0x7f) throw new NpyError(file, 'header', 'header of a version 1.0/2.0 file must be ASCII');
    text = new TextDecoder('latin1').decode(raw);
  }
  const dict = parseDict(text, file);
  const keys = Object.keys(dict).sort().join(',');
  if (keys !== 'descr,fortran_order,shape') {
    throw new NpyError(
      file,
      'header',
      `expected exactly the keys 'descr', 'fortran_order', 'shape', got ${keys || 'none'}`,
    );
  }
  const descr = dict.descr;
  if (typeof descr !== 'string') throw new NpyError(file, 'descr', 'must be a string');
  if (!(descr in ITEM_SIZE)) {
    throw new NpyError(file, 'descr', `unsupported dtype '${descr}' (expected one of <f4, <f8, <i4, <i8)`);
  }
  if (typeof dict.fortran_order !== 'boolean')
    throw new NpyError(file, 'fortran_order', 'must be True or False');
  if (dict.fortran_order) {
    throw new NpyError(
      file,
      'fortran_order',
      'Fortran-ordered arrays are not supported; save with np.ascontiguousarray first',
    );
  }
  const shape = dict.shape;
  if (!Array.isArray(shape)) throw new NpyError(file, 'shape', 'must be a tuple of integers');
  let size = 1;
  for (const d of shape) {
    size *= d;
    if (!Number.isSafeInteger(size))
      throw new NpyError(file, 'shape', `(${shape.join(', ')}) has too many elements`);
  }
  const dtype = descr as NpyDtype;
  if (fileSize !== undefined) {
    const expected = dataOffset + size * ITEM_SIZE[dtype];
    if (fileSize < expected) {
      throw new NpyError(
        file,
        'shape',
        `(${shape.join(', ')}) of ${dtype} needs ${expected} bytes but the file has ${fileSize} (truncated?)`,
      );
    }
    if (fileSize > expected) {
      throw new NpyError(
        file,
        'shape',
        `(${shape.join(', ')}) of ${dtype} needs ${expected} bytes but the file has ${fileSize} (${fileSize - expected} trailing bytes)`,
      );
    }
  }
  return { version, dtype, shape, dataOffset, size };
}

type Value = string | boolean | number[];

/** Strict parser for the Python dict literal NumPy writes: string keys; string, bool or int-tuple values. */
function parseDict(text: string, file: string): Record<string, Value> {
  let i = 0;
  const fail = (what: string): never => {
    throw new NpyError(file, 'header', `${what} at character ${i} of the header dict`);
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
      i++;
  };
  const str = (): string => {
    const q = text[i];
    if (q !== "'" && q !== '"') return fail('expected a quoted string');
    const end = text.indexOf(q, i + 1);
    if (end < 0) return fail('unterminated string');
    const s = text.slice(i + 1, end);
    if (s.includes('\\')) return fail('escape sequences are not supported');
    i = end + 1;
    return s;
  };
  const int = (): number => {
    const start = i;
    while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
    if (i === start) return fail('expected a non-negative integer');
    const n = Number(text.slice(start, i));
    if (text[i] === 'L') i++; // Python 2 long suffix
    if (!Number.isSafeInteger(n)) return fail('dimension too large');
    return n;
  };
  const tuple = (): number[] => {
    i++; // (
    const out: number[] = [];
    ws();
    while (text[i] !== ')') {
      out.push(int());
      ws();
      if (text[i] === ',') {
        i++;
        ws();
      } else if (text[i] !== ')') {
        return fail("expected ',' or ')' in the shape tuple");
      }
    }
    i++;
    if (out.length === 1 && !/,\s*\)$/.test(text.slice(0, i)))
      return fail('a 1-tuple needs a trailing comma');
    return out;
  };
  const value = (): Value => {
    if (text[i] === "'" || text[i] === '"') return str();
    if (text[i] === '(') return tuple();
    if (text.startsWith('True', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('False', i)) {
      i += 5;
      return false;
    }
    return fail('expected a string, True, False or a tuple');
  };
  ws();
  if (text[i] !== '{') fail("expected '{'");
  i++;
  const dict: Record<string, Value> = {};
  ws();
  while (text[i] !== '}') {
    if (i >= text.length) fail("expected '}'");
    const key = str();
    if (Object.hasOwn(dict, key)) fail(`duplicate key '${key}'`);
    ws();
    if (text[i] !== ':') fail("expected ':'");
    i++;
    ws();
    dict[key] = value();
    ws();
    if (text[i] === ',') {
      i++;
      ws();
    } else if (text[i] !== '}') {
      fail("expected ',' or '}'");
    }
  }
  i++;
  ws();
  if (i !== text.length) fail('unexpected text after the dict');
  return dict;
}

/**
 * Header bytes for an array: version 1.0 when the header fits 65,535 bytes, else 2.0; padded with
 * spaces so the data starts at a multiple of 64. With `totalLength` (a multiple of 64 at least as
 * long as the natural header) the header is padded to exactly that length: NpyWriter reserves room
 * for the final shape this way.
 */
export function formatNpyHeader(dtype: NpyDtype, shape: readonly number[], totalLength?: number): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const natural = (prefixLen: number): number => Math.ceil((prefixLen + dict.length + 1) / 64) * 64;
  let total = natural(10);
  let major = total - 10 > 0xffff ? 2 : 1;
  if (major === 2) total = natural(12);
  if (totalLength !== undefined) {
    if (totalLength < total || totalLength % 64 !== 0) {
      throw new RangeError(`formatNpyHeader: cannot fit the header in ${totalLength} bytes (needs ${total})`);
    }
    total = totalLength;
    major = total - 10 > 0xffff ? 2 : 1;
  }
  const prefixLen = major === 1 ? 10 : 12;
  const body = `${dict.padEnd(total - prefixLen - 1, ' ')}\n`;
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, body.length, true);
  else dv.setUint32(8, body.length, true);
  for (let k = 0; k < body.length; k++) out[prefixLen + k] = body.charCodeAt(k);
  return out;
}
