import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  adjacency,
  decodeNpy,
  encodeNpy,
  formatNpyHeader,
  int64Array,
  NpyError,
  NTU25,
  toNumbers,
} from '../src/index.js';
import { NpyReader, NpyWriter, readNpy, writeNpy } from '../src/node/index.js';

const FIX = join(import.meta.dirname, 'fixtures', 'npy');
const manifest = JSON.parse(readFileSync(join(FIX, 'manifest.json'), 'utf8')) as Record<
  string,
  { descr: string; shape: number[]; values?: (number | string)[]; sum?: number; first?: number[] }
>;
const dir = mkdtempSync(join(tmpdir(), 'asma-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('files written by NumPy', () => {
  for (const name of [
    'f4_2x3.npy',
    'f8_3.npy',
    'i4_2x2x2.npy',
    'f4_scalar.npy',
    'f4_empty.npy',
    'f4_v2.npy',
    'f4_v3.npy',
  ]) {
    it(`reads ${name}`, () => {
      const want = manifest[name]!;
      const arr = readNpy(join(FIX, name));
      expect(arr.dtype).toBe(want.descr);
      expect(arr.shape).toEqual(want.shape);
      expect(Array.from(arr.data as Float32Array)).toEqual(want.values);
    });
  }
  it('reads int64 labels as BigInt64Array and converts them to numbers', () => {
    const arr = readNpy(join(FIX, 'i8_labels.npy'));
    expect(arr.data).toBeInstanceOf(BigInt64Array);
    expect(Array.from(arr.data as BigInt64Array, String)).toEqual(manifest['i8_labels.npy']!.values);
    expect(toNumbers(arr.data)).toEqual([0, 5, 59, -1, 2 ** 40]);
  });
  it('converts <f8 to float32 on request', () => {
    const arr = readNpy(join(FIX, 'f8_3.npy'), { asFloat32: true });
    expect(arr.dtype).toBe('<f4');
    expect(Array.from(arr.data as Float32Array)).toEqual([0.1, -2.5, 1e-40].map(Math.fround));
  });
  it('reads row ranges of a clip tensor without loading the rest', () => {
    const want = manifest['f4_clips.npy']!;
    const r = NpyReader.open(join(FIX, 'f4_clips.npy'));
    expect(r.shape).toEqual([4, 3, 5, 25, 2]);
    expect(r.rows).toBe(4);
    expect(r.rowSize).toBe(750);
    const all = r.readAll().data as Float32Array;
    expect(Array.from(all.subarray(0, 8))).toEqual(want.first);
    expect(all.reduce((a, b) => a + b, 0)).toBeCloseTo(want.sum!, 3);
    expect(Array.from(r.readRows(1, 2) as Float32Array)).toEqual(Array.from(all.subarray(750, 2250)));
    expect((r.readRows(4, 0) as Float32Array).length).toBe(0);
    expect(() => r.readRows(3, 2)).toThrow(RangeError);
    r.close();
  });
  it('matches the reference ST-GCN adjacency bit for bit', () => {
    for (const strategy of ['uniform', 'distance', 'spatial'] as const) {
      for (const maxHop of [1, 2]) {
        const ref = readNpy(join(FIX, `stgcn_${strategy}_hop${maxHop}.npy`));
        const A = adjacency(NTU25, strategy, { maxHop });
        expect(A.shape).toEqual(ref.shape);
        expect(Array.from(A.data)).toEqual(Array.from(ref.data as Float32Array));
      }
    }
  });
});

describe('header errors name the file and the field', () => {
  const expectNpyError = (fn: () => unknown, field: string, pattern: RegExp): void => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(NpyError);
      expect((err as NpyError).field).toBe(field);
      expect((err as Error).message).toMatch(pattern);
      return;
    }
    throw new Error('expected an NpyError');
  };
  it('Fortran order', () =>
    expectNpyError(
      () => readNpy(join(FIX, 'fortran.npy')),
      'fortran_order',
      /fortran\.npy: fortran_order: Fortran-ordered/,
    ));
  it('big-endian and unsupported dtypes', () => {
    expectNpyError(
      () => readNpy(join(FIX, 'big_endian.npy')),
      'descr',
      /big_endian\.npy: descr: unsupported dtype '>f4'/,
    );
    expectNpyError(() => readNpy(join(FIX, 'uint8.npy')), 'descr', /'\|u1'/);
  });
  it('bad magic, bad version', () => {
    const good = readFileSync(join(FIX, 'f4_2x3.npy'));
    const bad = Uint8Array.from(good);
    bad[1] = 0x41;
    expectNpyError(() => decodeNpy(bad, 'x.npy'), 'magic', /x\.npy: magic/);
    const v = Uint8Array.from(good);
    v[6] = 4;
    expectNpyError(() => decodeNpy(v, 'x.npy'), 'version', /4\.0/);
  });
  it('truncated data and trailing bytes', () => {
    const good = readFileSync(join(FIX, 'f4_2x3.npy'));
    const p = join(dir, 'trunc.npy');
    writeFileSync(p, good.subarray(0, good.length - 3));
    expectNpyError(
      () => NpyReader.open(p),
      'shape',
      /trunc\.npy: shape: \(2, 3\) of <f4 needs 152 bytes but the file has 149/,
    );
    expectNpyError(
      () => decodeNpy(Buffer.concat([good, Buffer.from([0])]), 'x.npy'),
      'shape',
      /1 trailing bytes/,
    );
    expectNpyError(() => decodeNpy(good.subarray(0, 40), 'x.npy'), 'header', /ends inside the header/);
  });
  it('malformed dict', () => {
    const make = (dict: string): Uint8Array => {
      const body = `${dict.padEnd(117, ' ')}\n`;
      return Uint8Array.from([
        0x93,
        0x4e,
        0x55,
        0x4d,
        0x50,
        0x59,
        1,
        0,
        body.length,
        0,
        ...Buffer.from(body),
      ]);
    };
    expectNpyError(
      () => decodeNpy(make("{'descr': '<f4', 'shape': (0,), }"), 'd.npy'),
      'header',
      /expected exactly the keys/,
    );
    expectNpyError(
      () => decodeNpy(make("{'descr': '<f4', 'fortran_order': 0, 'shape': (0,)}"), 'd.npy'),
      'header',
      /expected a string, True/,
    );
    expectNpyError(
      () => decodeNpy(make("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}"), 'd.npy'),
      'header',
      /expected ','/,
    );
    expectNpyError(
      () => decodeNpy(make("{'descr': '<f4', 'fortran_order': False, 'shape': (0)}"), 'd.npy'),
      'header',
      /trailing comma/,
    );
    expectNpyError(
      () => decodeNpy(make("{'descr': 4, 'fortran_order': False, 'shape': (0,)}"), 'd.npy'),
      'header',
      /expected a string/,
    );
    expect(decodeNpy(make("{'descr': '<f4', 'fortran_order': False, 'shape': (0,)}"), 'd.npy').shape).toEqual(
      [0],
    );
  });
  it('missing file is the ordinary ENOENT error', () => {
    expect(() => readNpy(join(dir, 'nope.npy'))).toThrow(/ENOENT/);
  });
});

describe('writing', () => {
  it('round-trips every dtype and shape', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
        fc.constantFrom('f4', 'f8', 'i4', 'i8'),
        (shape, kind) => {
          const n = shape.reduce((a, b) => a * b, 1);
          const vals = Array.from({ length: n }, (_, i) => ((i * 7919) % 113) - 50);
          const data =
            kind === 'f4'
              ? Float32Array.from(vals, (v) => v / 8)
              : kind === 'f8'
                ? Float64Array.from(vals, (v) => v / 3)
                : kind === 'i4'
                  ? Int32Array.from(vals)
                  : int64Array(vals);
          const back = decodeNpy(encodeNpy(data, shape));
          expect(back.shape).toEqual(shape);
          expect(back.data).toEqual(data);
        },
      ),
      { numRuns: 100 },
    );
  });
  it('headers are 64-byte aligned and NumPy reads what we write', () => {
    const p = join(dir, 'ours.npy');
    writeNpy(p, Float32Array.from([1.5, -2, 3.25, 4, 5, 6]), [3, 2]);
    expect(formatNpyHeader('<f4', [3, 2]).length % 64).toBe(0);
    const python = '/usr/bin/python3';
    // The fixtures above cover reading; this cross-check needs Debian's python3 with NumPy.
    if (!existsSync(python) || spawnSync(python, ['-c', 'import numpy']).status !== 0) return;
    const out = execFileSync(
      python,
      [
        '-c',
        `import numpy as np; a = np.load(${JSON.stringify(p)}); print(a.dtype.str, a.shape, a.ravel().tolist())`,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(out.trim()).toBe('<f4 (3, 2) [1.5, -2.0, 3.25, 4.0, 5.0, 6.0]');
  });
  it('writeNpy rejects a shape that does not match the data', () => {
    expect(() => writeNpy(join(dir, 'bad.npy'), new Float32Array(5), [2, 3])).toThrow(/needs 6 elements/);
    expect(existsSync(join(dir, 'bad.npy'))).toBe(false);
  });
  it('NpyWriter streams rows and patches the shape on close', () => {
    const p = join(dir, 'stream.npy');
    const w = new NpyWriter(p, '<f4', [3, 2]);
    w.append(Float32Array.from([0, 1, 2, 3, 4, 5]));
    expect(existsSync(p)).toBe(false); // nothing visible until close
    w.append(Float32Array.from({ length: 12 }, (_, i) => 6 + i));
    expect(() => w.append(new Float32Array(5))).toThrow(/whole number of rows/);
    expect(() => w.append(new Float64Array(6))).toThrow(/expected <f4/);
    w.close();
    const r = NpyReader.open(p);
    expect(r.shape).toEqual([3, 3, 2]);
    expect(Array.from(r.readRows(2, 1) as Float32Array)).toEqual([12, 13, 14, 15, 16, 17]);
    r.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
  it('NpyWriter abort leaves nothing behind', () => {
    const p = join(dir, 'aborted.npy');
    const w = new NpyWriter(p, '<i8', []);
    w.append(int64Array([1, 2, 3]));
    w.abort();
    expect(existsSync(p)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('aborted'))).toEqual([]);
  });
});

describe('fuzz: random and damaged bytes', () => {
  const good = [
    readFileSync(join(FIX, 'f4_2x3.npy')),
    readFileSync(join(FIX, 'f4_v3.npy')),
    readFileSync(join(FIX, 'i8_labels.npy')),
  ];
  const onlyNpyErrors = (bytes: Uint8Array): void => {
    try {
      decodeNpy(bytes, 'fuzz.npy');
    } catch (err) {
      if (!(err instanceof NpyError)) throw err;
    }
  };
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), onlyNpyErrors), { numRuns: 300 });
  });
  it('random bytes after a valid magic and version', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3), fc.uint8Array({ maxLength: 300 }), (major, rest) => {
        onlyNpyErrors(Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0, ...rest]));
      }),
      { numRuns: 300 },
    );
  });
  it('truncations and byte flips of valid files', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...good),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        (file, cut, flips) => {
          const bytes = Uint8Array.from(file.subarray(0, cut % (file.length + 1)));
          for (const [pos, val] of flips) if (bytes.length > 0) bytes[pos % bytes.length] = val;
          onlyNpyErrors(bytes);
        },
      ),
      { numRuns: 400 },
    );
  });
  it('damaged files through NpyReader.open', () => {
    const p = join(dir, 'fuzz.npy');
    fc.assert(
      fc.property(
        fc.constantFrom(...good),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        (file, cut, flips) => {
          const bytes = Uint8Array.from(file.subarray(0, cut % (file.length + 1)));
          for (const [pos, val] of flips) if (bytes.length > 0) bytes[pos % bytes.length] = val;
          writeFileSync(p, bytes);
          try {
            const r = NpyReader.open(p);
            if (r.shape.length > 0) r.readRows(0, r.rows);
            r.close();
          } catch (err) {
            if (!(err instanceof NpyError)) throw err;
          }
        },
      ),
      { numRuns: 100 },
    );
  });
  it('header dict text mutations', () => {
    const chars = fc.constantFrom(...`{}()':,"0123456789 TrueFals<f4i8descrshapefortran_order\n`.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 90 }), (cs) => {
        const body = `${cs.join('').padEnd(117, ' ')}\n`;
        onlyNpyErrors(
          Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, body.length, 0, ...Buffer.from(body)]),
        );
      }),
      { numRuns: 400 },
    );
  });
});
