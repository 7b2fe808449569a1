/**
 * Mutations shared by the fuzz targets: byte edits (flips, interesting values, inserts, deletes,
 * truncation, chunk duplication), little-endian integer fields overwritten with boundary values,
 * and text edits on numeric tokens and lines.
 */
import type { FuzzRandom } from './random.js';

/** Values that sit on the boundaries parsers get wrong: 0, 1, sign bits, 2^31, 2^32, 2^53, max. */
export const INTERESTING_INTS: readonly bigint[] = [
  0n,
  1n,
  2n,
  7n,
  8n,
  255n,
  256n,
  0x7fffn,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  2n ** 53n - 1n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 64n - 1n,
];

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x22, 0x2c, 0x5b, 0x5d, 0x7b, 0x7d, 0x20, 0x0a];

/** One random byte-level edit of `b` (a new array). */
export function mutateBytes(b: Uint8Array, r: FuzzRandom): Uint8Array {
  const n = b.length;
  switch (r.int(8)) {
    case 0: {
      const out = b.slice();
      if (n > 0) out[r.int(n)]! ^= 1 << r.int(8);
      return out;
    }
    case 1: {
      const out = b.slice();
      if (n > 0) out[r.int(n)] = r.pick(INTERESTING_BYTES);
      return out;
    }
    case 2:
      return b.slice(0, r.int(n + 1)); // truncation
    case 3: {
      const at = r.int(n + 1);
      const len = 1 + r.int(16);
      const ins = new Uint8Array(len).map(() => (r.chance(0.5) ? r.pick(INTERESTING_BYTES) : r.int(256)));
      return concat(b.subarray(0, at), ins, b.subarray(at));
    }
    case 4: {
      const at = r.int(n + 1);
      return concat(b.subarray(0, at), b.subarray(Math.min(n, at + 1 + r.int(16))));
    }
    case 5: {
      // duplicate a chunk (repeated entries, doubled data)
      const a = r.int(n + 1);
      const e = Math.min(n, a + 1 + r.int(64));
      return concat(b.subarray(0, e), b.subarray(a, e), b.subarray(e));
    }
    case 6:
      return writeLittleEndian(b, r.int(Math.max(1, n)), r.pick([1, 2, 4, 8]), r.pick(INTERESTING_INTS));
    default: {
      // several flips at once
      const out = b.slice();
      for (let k = 0; k < 1 + r.int(8); k++) if (n > 0) out[r.int(n)] = r.int(256);
      return out;
    }
  }
}

/** `b` with a `width`-byte little-endian integer written at `at` (clipped to the array). */
export function writeLittleEndian(b: Uint8Array, at: number, width: number, value: bigint): Uint8Array {
  const out = b.slice();
  for (let i = 0; i < width && at + i < out.length; i++)
    out[at + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const NUMBER_TOKENS = [
  '0',
  '1',
  '-1',
  '2',
  '3',
  '25',
  '26',
  '24',
  '50',
  '99999999999',
  '1000001',
  '-0',
  '1e309',
  '-1e309',
  'NaN',
  'nan',
  'Infinity',
  '1.5',
  '0x10',
  '',
  ' ',
  '1e',
  '.',
  '+',
  '4294967296',
  '9007199254740993',
  '3.4e38',
  '1e-400',
];

/** One random edit of a text file: a numeric token replaced, a line dropped or repeated, a cut, or bytes. */
export function mutateText(text: string, r: FuzzRandom): string {
  switch (r.int(6)) {
    case 0:
    case 1: {
      // replace the k-th number token
      const re = /[-+]?[0-9.]+(?:[eE][-+]?\d+)?/g;
      const spans: [number, number][] = [];
      for (let m = re.exec(text); m !== null && spans.length < 4096; m = re.exec(text))
        spans.push([m.index, m.index + m[0].length]);
      if (spans.length === 0) return text;
      const [a, b] = r.pick(spans);
      return text.slice(0, a) + r.pick(NUMBER_TOKENS) + text.slice(b);
    }
    case 2: {
      const lines = text.split('\n');
      lines.splice(r.int(lines.length), 1 + r.int(3));
      return lines.join('\n');
    }
    case 3: {
      const lines = text.split('\n');
      const i = r.int(lines.length);
      lines.splice(i, 0, ...lines.slice(i, i + 1 + r.int(3)));
      return lines.join('\n');
    }
    case 4:
      return text.slice(0, r.int(text.length + 1));
    default: {
      const bytes = new TextEncoder().encode(text);
      return new TextDecoder().decode(mutateBytes(bytes, r));
    }
  }
}
