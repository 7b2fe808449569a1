/**
 * The parsers under fuzz, each with valid seed inputs, structure-aware mutations (header fields,
 * offsets, shapes, dtypes, lengths, truncations) and a check: the parser either returns something
 * consistent or throws its own typed error naming the file; anything else is a finding.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertFiniteTensors,
  decodeSafetensors,
  encodeSafetensors,
  IntTensor,
  NonFiniteTensorError,
  SafetensorsError,
  Tensor,
} from '@asma/autodiff';
import { decodeModel, encodeModel, ModelFileError } from '@asma/compress/node';
import {
  decodeNpy,
  encodeNpy,
  frame50,
  int64Array,
  NpyError,
  parseNtuSkeleton,
  parsePkuLabels,
  parsePkuSkeleton,
  pkuClip,
  SkeletonParseError,
  selectActors,
} from '@asma/skeleton';
import { concat, INTERESTING_INTS, mutateBytes, mutateText } from './mutate.js';
import type { FuzzRandom } from './random.js';

export interface FuzzTarget {
  name: string;
  seeds: Uint8Array[];
  /** One hostile input derived from a seed. */
  mutate(seed: Uint8Array, r: FuzzRandom): Uint8Array;
  /**
   * Parse `bytes`: true when accepted, false when refused with the parser's typed error; throws
   * only for a finding (an untyped error, an error not naming the file, or a broken invariant).
   */
  check(bytes: Uint8Array): boolean;
}

/** Run f; an error of one of `typed` classes (with a message naming `file`) is the parser's proper refusal. */
function refusedOrOk(file: string, typed: (new (...a: never[]) => Error)[], f: () => void): boolean {
  try {
    f();
    return true;
  } catch (err) {
    if (!typed.some((t) => err instanceof t)) throw err;
    if (!(err as Error).message.includes(file))
      throw new Error(`a ${(err as Error).name} that does not name the file: ${(err as Error).message}`);
    return false;
  }
}

const utf8 = new TextEncoder();
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'skeleton', 'test', 'fixtures');

/** A JSON-ish value a header field should never hold. */
function hostileValue(r: FuzzRandom): unknown {
  return r.pick<unknown>([
    null,
    -1,
    0,
    1.5,
    2 ** 31,
    2 ** 53,
    2 ** 64,
    1e308,
    'F32',
    '',
    '2',
    [],
    [1],
    [1, 2, 3],
    {},
    true,
    'x'.repeat(300),
    Number(INTERESTING_INTS[r.int(INTERESTING_INTS.length)]),
  ]);
}

/** Mutate one field of a parsed JSON header object in place (a random path of objects and arrays). */
function mutateJson(root: Record<string, unknown>, r: FuzzRandom): void {
  let node: unknown = root;
  for (let depth = 0; depth < 4; depth++) {
    const keys = node !== null && typeof node === 'object' ? Object.keys(node as object) : [];
    if (keys.length === 0) break;
    const k = r.pick(keys);
    const child = (node as Record<string, unknown>)[k];
    const stop = child === null || typeof child !== 'object' || r.chance(0.3);
    if (stop) {
      const op = r.int(6);
      const obj = node as Record<string, unknown>;
      if (op === 0) delete obj[k];
      else if (op === 1 && typeof child === 'number') obj[k] = child + r.pick([-1, 1, 8, -8, 4096]);
      else if (op === 2 && Array.isArray(node)) (node as unknown[]).push(hostileValue(r));
      else if (op === 3 && Array.isArray(node)) (node as unknown[]).pop();
      else if (op === 4) obj[`${k}${r.int(3)}`] = structuredClone(child);
      else obj[k] = hostileValue(r);
      return;
    }
    node = child;
  }
}

// ---------- safetensors ----------

function safetensorsParts(b: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(text(b.subarray(8, 8 + n))), data: b.subarray(8 + n) };
}

function safetensorsBytes(header: unknown, data: Uint8Array, lengthDelta = 0): Uint8Array {
  const json = utf8.encode(JSON.stringify(header));
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(Math.max(0, json.length + lengthDelta)), true);
  return concat(len, json, data);
}

const safetensorsSeeds = [
  encodeSafetensors(
    new Map<string, Tensor | IntTensor>([
      ['w', new Tensor(Float32Array.from([1, -2, 3.5, 0, 1e-3, 7]), [2, 3])],
      ['b', new Tensor(Float64Array.from([0.5, -0.25]), [2])],
      ['n', new IntTensor(BigInt64Array.from([3n]), [], 'int64')],
      ['m', new IntTensor(Uint8Array.from([1, 0, 1, 1]), [4], 'bool')],
    ]),
    { format: 'pt', 'asma.stgcn': '{"blocks":[]}' },
  ),
  encodeSafetensors(new Map([['e', new Tensor(new Float32Array(0), [0, 3])]])),
];

const safetensors: FuzzTarget = {
  name: 'safetensors',
  seeds: safetensorsSeeds,
  mutate(seed, r) {
    if (r.chance(0.25)) return mutateBytes(seed, r);
    const { header, data } = safetensorsParts(seed);
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    const entry = header[r.pick(names)] as Record<string, unknown>;
    let body = data;
    switch (r.int(6)) {
      case 0:
        entry.dtype = r.pick([
          'F32',
          'F64',
          'F16',
          'BF16',
          'I64',
          'I32',
          'U8',
          'BOOL',
          'F8_E4M3',
          'f32',
          '',
          7,
          null,
        ]);
        break;
      case 1: {
        const shape = [...(entry.shape as number[])];
        if (r.chance(0.5) && shape.length > 0) shape[r.int(shape.length)] = hostileValue(r) as number;
        else if (r.chance(0.5)) shape.push(r.pick([0, 1, 2, 2 ** 31, 2 ** 53]));
        else shape.pop();
        entry.shape = r.chance(0.1) ? hostileValue(r) : shape;
        break;
      }
      case 2: {
        const [a, b] = entry.data_offsets as number[];
        entry.data_offsets = r.pick<unknown>([
          [b, a],
          [a! + 1, b],
          [a, b! + 1],
          [a! - 1, b! - 1],
          [a, 2 ** 53],
          [-1, b],
          [a],
          [a, b, b],
          [a, a],
          [String(a), b],
          [a! + 0.5, b],
          hostileValue(r),
        ]);
        break;
      }
      case 3:
        header.__metadata__ = r.pick<unknown>([
          null,
          [],
          { k: 1 },
          { k: null },
          'text',
          { k: 'v'.repeat(1000) },
        ]);
        break;
      case 4:
        mutateJson(header, r);
        break;
      default:
        body = r.chance(0.5)
          ? data.subarray(0, r.int(data.length + 1))
          : concat(data, new Uint8Array(1 + r.int(9)));
    }
    return safetensorsBytes(header, body, r.chance(0.1) ? r.pick([-1, 1, -8, 8, 1 << 20]) : 0);
  },
  check(bytes) {
    const file = 'fuzz.safetensors';
    return refusedOrOk(file, [SafetensorsError, NonFiniteTensorError], () => {
      const f = decodeSafetensors(bytes, file);
      for (const [name, t] of f.tensors) {
        const size = t.shape.reduce((a, b) => a * b, 1);
        if (t.data.length !== size)
          throw new Error(`${name}: ${t.data.length} values for shape [${t.shape}]`);
      }
      // What decodes must encode and decode to the same names, shapes and values.
      const again = decodeSafetensors(encodeSafetensors(f.tensors, f.metadata), file);
      for (const [name, t] of f.tensors) {
        const u = again.tensors.get(name);
        if (u === undefined || u.shape.join() !== t.shape.join())
          throw new Error(`${name}: changed by a round trip`);
      }
      assertFiniteTensors(f.tensors, file);
    });
  },
};

// ---------- .asma ----------

const ASMA_PREFIX = 48;

function asmaBytes(header: unknown, payload: Uint8Array, checksum: boolean, lengthDelta = 0): Uint8Array {
  const json = utf8.encode(JSON.stringify(header));
  const out = concat(new Uint8Array(ASMA_PREFIX), json, payload);
  out.set(utf8.encode('ASMAMDL\0'), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, 1, true);
  dv.setUint32(12, Math.max(0, json.length + lengthDelta), true);
  if (checksum) out.set(createHash('sha256').update(out.subarray(ASMA_PREFIX)).digest(), 16);
  return out;
}

const asmaSeed = encodeModel({
  kind: 'asma.classifier.fp32',
  architecture: { blocks: [[3, 8, 1]], classes: 4 },
  metadata: { 'asma.classes': '4' },
  tensors: new Map([
    [
      'fc.weight',
      { dtype: 'f32' as const, shape: [4, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
    ],
    ['q', { dtype: 'i8' as const, shape: [3], data: Int8Array.from([-128, 0, 127]) }],
    ['fc.bias', { dtype: 'f32' as const, shape: [4], data: new Float32Array(4) }],
  ]),
});

const asma: FuzzTarget = {
  name: 'asma',
  seeds: [asmaSeed],
  mutate(seed, r) {
    // Most mutations re-sign the file, so they reach the header parser instead of stopping at the checksum.
    if (r.chance(0.15)) return mutateBytes(seed, r);
    const h = new DataView(seed.buffer, seed.byteOffset).getUint32(12, true);
    const header = JSON.parse(text(seed.subarray(ASMA_PREFIX, ASMA_PREFIX + h))) as Record<string, unknown>;
    let payload = seed.subarray(ASMA_PREFIX + h);
    const tensors = header.tensors as Record<string, unknown>[];
    const t = r.pick(tensors);
    switch (r.int(6)) {
      case 0:
        t.dtype = r.pick(['f32', 'i8', 'f16', 'F32', '', null, 3]);
        break;
      case 1:
        t.shape = r.chance(0.7)
          ? (t.shape as number[]).map((d) => (r.chance(0.5) ? (hostileValue(r) as number) : d))
          : hostileValue(r);
        break;
      case 2:
        t.offset = r.pick<unknown>([
          (t.offset as number) + 8,
          (t.offset as number) - 8,
          4,
          2 ** 32,
          2 ** 53,
          -8,
          null,
          '0',
        ]);
        break;
      case 3:
        mutateJson(header, r);
        break;
      case 4:
        if (r.chance(0.5)) tensors.push(structuredClone(t));
        else t.name = r.pick<unknown>(['', 'x'.repeat(300), null, 'fc.weight', 'q']);
        break;
      default:
        payload = r.chance(0.5) ? payload.subarray(0, r.int(payload.length + 1)) : mutateBytes(payload, r);
    }
    return asmaBytes(header, payload, r.chance(0.9), r.chance(0.05) ? r.pick([-1, 1, 1 << 21]) : 0);
  },
  check(bytes) {
    const file = 'fuzz.asma';
    return refusedOrOk(file, [ModelFileError], () => {
      const m = decodeModel(bytes, file);
      for (const [name, t] of m.tensors) {
        const size = t.shape.reduce((a, b) => a * b, 1);
        if (t.data.length !== size)
          throw new Error(`${name}: ${t.data.length} values for shape [${t.shape}]`);
        if (t.data instanceof Float32Array && t.data.some((v) => !Number.isFinite(v)))
          throw new Error(`${name}: a non-finite value was accepted`);
      }
    });
  },
};

// ---------- .npy ----------

function npyBytes(headerText: string, data: Uint8Array, version = 1, lengthDelta = 0): Uint8Array {
  let h = headerText;
  const pre = version === 1 ? 10 : 12;
  while ((pre + h.length + 1) % 64 !== 0) h += ' ';
  h += '\n';
  const hb = utf8.encode(h);
  const prefix = new Uint8Array(pre);
  prefix.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(prefix.buffer);
  if (version === 1) dv.setUint16(8, Math.max(0, Math.min(0xffff, hb.length + lengthDelta)), true);
  else dv.setUint32(8, Math.max(0, hb.length + lengthDelta), true);
  return concat(prefix, hb, data);
}

const npySeeds = [
  encodeNpy(
    Float32Array.from({ length: 24 }, (_, i) => i / 7),
    [2, 3, 4],
  ),
  encodeNpy(int64Array([0, 4, 2, 1]), [4]),
  encodeNpy(Float64Array.from([1.5, -2]), [2, 1]),
  encodeNpy(new Int32Array(0), [0, 5]),
];

const DESCRS = ['<f4', '<f8', '<i4', '<i8', '>f4', '|u1', '|b1', '<f2', 'O', '<U4', '', "<f4', 'x': 1"];
const SHAPES = [
  '()',
  '(2,)',
  '(2, 3, 4)',
  '(-1,)',
  '(2**31,)',
  '(9007199254740993,)',
  '(1.5,)',
  '(0, 5)',
  '(2, 3, 4, 0)',
  "('2',)",
  '(,)',
  '(2,3',
  '[2, 3]',
  `(${'1, '.repeat(40)})`,
];

const npy: FuzzTarget = {
  name: 'npy',
  seeds: npySeeds,
  mutate(seed, r) {
    if (r.chance(0.3)) return mutateBytes(seed, r);
    const n = new DataView(seed.buffer, seed.byteOffset).getUint16(8, true);
    let data = seed.subarray(10 + n);
    const dict = text(seed.subarray(10, 10 + n)).trim();
    const m = /^\{'descr': '([^']*)', 'fortran_order': (\w+), 'shape': (\([^)]*\)), \}$/.exec(dict);
    let descr = m?.[1] ?? '<f4';
    let fortran = m?.[2] ?? 'False';
    let shape = m?.[3] ?? '(1,)';
    let extra = '';
    switch (r.int(6)) {
      case 0:
        descr = r.pick(DESCRS);
        break;
      case 1:
        fortran = r.pick(['True', 'false', '0', 'None', "'False'"]);
        break;
      case 2:
        shape = r.pick(SHAPES);
        break;
      case 3:
        extra = r.pick([" 'extra': 1,", " 'descr': '<f8',", ' **x,', " 'shape': (1,),", '}{']);
        break;
      case 4:
        data = r.chance(0.5)
          ? data.subarray(0, r.int(data.length + 1))
          : concat(data, new Uint8Array(1 + r.int(16)));
        break;
      default:
        return npyBytes(
          mutateText(dict, r),
          data,
          r.pick([1, 2, 3]),
          r.chance(0.3) ? r.pick([-1, 1, -64, 64]) : 0,
        );
    }
    const header = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape},${extra} }`;
    return npyBytes(header, data, r.chance(0.9) ? 1 : 2, r.chance(0.1) ? r.pick([-1, 1, -64, 64, 60000]) : 0);
  },
  check(bytes) {
    const file = 'fuzz.npy';
    return refusedOrOk(file, [NpyError], () => {
      const a = decodeNpy(bytes, file);
      const size = a.shape.reduce((x, y) => x * y, 1);
      if (a.data.length !== size) throw new Error(`${a.data.length} values for shape [${a.shape}]`);
    });
  },
};

// ---------- NTU and PKU text ----------

/** The first `frames` frames of an NTU file (the count on line 1 rewritten). */
function ntuFrames(source: string, frames: number): string {
  const lines = source.split('\n');
  let i = 1;
  for (let f = 0; f < frames; f++) {
    const bodies = Number(lines[i++]);
    for (let b = 0; b < bodies; b++) {
      i++; // body info
      const joints = Number(lines[i++]);
      i += joints;
    }
  }
  return `${[String(frames), ...lines.slice(1, i)].join('\n')}\n`;
}

function textTarget(name: string, seeds: string[], check: (s: string) => void): FuzzTarget {
  return {
    name,
    seeds: seeds.map((s) => utf8.encode(s)),
    mutate(seed, r) {
      let s = text(seed);
      for (let k = 0; k < 1 + r.int(3); k++) s = mutateText(s, r);
      return utf8.encode(s);
    },
    check: (b) => refusedOrOk('fuzz', [SkeletonParseError], () => check(text(b))),
  };
}

const ntuSource = readFileSync(join(FIXTURES, 'ntu', 'S003C003P004R001A051.skeleton'), 'utf8');
const ntu = textTarget('ntu', [ntuFrames(ntuSource, 2), ntuFrames(ntuSource, 1)], (s) => {
  const seq = parseNtuSkeleton(s, 'fuzz.skeleton');
  const raw = selectActors(seq);
  const out = frame50(raw.data, raw.frames, { frames: 4, file: 'fuzz.skeleton' });
  if (!out.every(Number.isFinite)) throw new Error('fuzz.skeleton: frame50 gave a non-finite value');
});

const pkuSource = readFileSync(join(FIXTURES, 'pku', 'skeleton', '0003-R.txt'), 'utf8');
const labelSource = readFileSync(join(FIXTURES, 'pku', 'label', '0002-L.txt'), 'utf8');
const pku = textTarget('pku', [`${pkuSource.split('\n').slice(0, 4).join('\n')}\n`, labelSource], (s) => {
  if (/^\d+,\d+,\d+/.test(s)) {
    parsePkuLabels(s, 'fuzz.txt');
    return;
  }
  const sk = parsePkuSkeleton(s, 'fuzz.txt');
  const clip = pkuClip(sk, { start: 1, end: Math.min(3, sk.frames), line: 1 });
  const out = frame50(clip.data, clip.frames, { frames: 4, file: 'fuzz.txt' });
  if (!out.every(Number.isFinite)) throw new Error('fuzz.txt: frame50 gave a non-finite value');
});

export const TARGETS: readonly FuzzTarget[] = [safetensors, asma, npy, ntu, pku];
