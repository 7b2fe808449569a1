import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { IntTensor } from '../src/io/int-tensor.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from '../src/io/safetensors.js';
import { readSafetensors, writeSafetensors } from '../src/node/safetensors.js';
import { Tensor } from '../src/tensor.js';
import { fixturePath, getInt, getTensor } from './golden-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Build a file from a raw header object and data bytes (for corrupt-file tests). */
function rawFile(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = Buffer.from(headerText ?? JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors: files written by Python (struct + json, like the reference writer)', () => {
  it('reads every supported dtype', () => {
    const f = readSafetensors(fixturePath('io_dtypes.safetensors'));
    expect(f.metadata).toEqual({ format: 'pt', note: 'dtype coverage' });
    const vals = [0, 1, -2.5, 0.15625, 3, -0.375, 1024, 6.5];
    for (const name of ['f32', 'f16', 'bf16']) {
      const t = getTensor(f, name);
      expect(t.dtype).toBe('float32');
      expect([...t.shape]).toEqual([2, 4]);
      expect([...t.data]).toEqual(vals);
    }
    expect(f.dtypes.get('f16')).toBe('F16');
    expect(f.dtypes.get('bf16')).toBe('BF16');
    const f64 = getTensor(f, 'f64');
    expect(f64.dtype).toBe('float64');
    expect([...f64.data]).toEqual(vals.map((v) => Math.fround(v) / 3));
    expect([...getInt(f, 'i64').data]).toEqual([0n, -1n, 2n ** 40n + 5n, -(2n ** 33n)]);
    expect([...getInt(f, 'i32').data]).toEqual([7, -8, 2 ** 31 - 1, -(2 ** 31)]);
    expect(getInt(f, 'u8').dtype).toBe('uint8');
    expect([...getInt(f, 'u8').data]).toEqual([0, 1, 128, 255]);
    expect(getInt(f, 'bool').dtype).toBe('bool');
    expect([...getInt(f, 'bool').data]).toEqual([1, 0, 1]);
    expect(getTensor(f, 'scalar').shape).toEqual([]);
    expect(getTensor(f, 'scalar').item()).toBe(2.5);
    expect([...getTensor(f, 'empty').shape]).toEqual([0, 3]);
  });

  it('reads the golden fixtures with their int64 num_batches_tracked', () => {
    const f = readSafetensors(fixturePath('golden_stgcn_s2.safetensors'));
    expect(getInt(f, 'tcn.0.num_batches_tracked').item()).toBe(3);
    expect(getInt(f, 'after.tcn.0.num_batches_tracked').item()).toBe(4);
    expect([...getTensor(f, 'tcn.2.weight').shape]).toEqual([6, 6, 9, 1]);
  });

  it('re-encoding a Python-written file reproduces it byte for byte', () => {
    const bytes = readFileSync(fixturePath('io_dtypes.safetensors'));
    const f = decodeSafetensors(bytes);
    // F16/BF16 are widened on read, so compare on a file without them.
    const kept = [...f.tensors].filter(([k]) => k !== 'f16' && k !== 'bf16');
    const again = decodeSafetensors(encodeSafetensors(kept, f.metadata));
    expect([...again.tensors.keys()]).toEqual(kept.map(([k]) => k));
    const optim = readFileSync(fixturePath('golden_optim.safetensors'));
    const g = decodeSafetensors(optim);
    expect(Buffer.from(encodeSafetensors(g.tensors, g.metadata)).equals(optim)).toBe(true);
  });
});

describe('safetensors: TypeScript round trip', () => {
  it('write -> read preserves names, order, dtypes, shapes, values and metadata; header is 8-aligned', () => {
    const tensors = new Map<string, Tensor | IntTensor>([
      ['z.weight', new Tensor(Float32Array.from([1.5, -2, 3e-8, 4]), [2, 2, 1])],
      ['a.bias', new Tensor(Float64Array.from([Math.PI]), [1])],
      ['bn.num_batches_tracked', IntTensor.int64Scalar(7)],
      ['mask', new IntTensor(Uint8Array.from([1, 0]), [2], 'bool')],
      ['idx', new IntTensor(Int32Array.from([5, -6, 7]), [3])],
    ]);
    const path = join(dir, 'rt.safetensors');
    writeSafetensors(path, tensors, { epoch: '3' });
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const bytes = readFileSync(path);
    const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(headerLen % 8).toBe(0);
    const f = readSafetensors(path);
    expect([...f.tensors.keys()]).toEqual([...tensors.keys()]);
    expect(f.metadata).toEqual({ epoch: '3' });
    for (const [k, t] of tensors) {
      const r = f.tensors.get(k)!;
      expect(r.constructor).toBe(t.constructor);
      expect([...r.shape]).toEqual([...t.shape]);
      expect(r.data).toEqual(t.data);
      expect(r.dtype).toBe(t.dtype);
    }
  });

  it('round-trips random float tensors exactly (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), fc.boolean()), {
          maxLength: 5,
        }),
        fc.integer(),
        (specs, seed) => {
          let x = seed;
          const entries: [string, Tensor][] = specs.map(([shape, f64], i) => {
            const n = shape.reduce((a, b) => a * b, 1);
            const data = f64 ? new Float64Array(n) : new Float32Array(n);
            for (let j = 0; j < n; j++) {
              x += 7;
              data[j] = Math.sin(x) * 1e3;
            }
            return [`t${i}`, new Tensor(data, shape)];
          });
          const f = decodeSafetensors(encodeSafetensors(entries));
          expect(f.tensors.size).toBe(entries.length);
          for (const [k, t] of entries) {
            const r = f.tensors.get(k) as Tensor;
            expect([...r.shape]).toEqual([...t.shape]);
            expect(r.data).toEqual(t.data);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses to write duplicate or reserved names', () => {
    const t = new Tensor(new Float32Array(1), [1]);
    expect(() => encodeSafetensors([['__metadata__', t]])).toThrow(/reserved/);
    expect(() =>
      encodeSafetensors([
        ['a', t],
        ['a', t],
      ]),
    ).toThrow(/duplicate/);
  });
});

describe('safetensors: corrupt files give errors naming the file and tensor', () => {
  const good = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data8 = new Uint8Array(8);
  const cases: [string, Uint8Array, RegExp][] = [
    ['too short', new Uint8Array(4), /shorter than the 8-byte header length/],
    ['header past end', rawFile(good, data8).subarray(0, 20), /runs past the end of the file/],
    [
      'huge header length',
      (() => {
        const b = rawFile(good, data8);
        new DataView(b.buffer).setBigUint64(0, 2n ** 60n, true);
        return b;
      })(),
      /exceeds/,
    ],
    ['not JSON', rawFile(null, data8, '{"w": nope}'), /not valid JSON/],
    ['not an object', rawFile(null, data8, '[1,2]   '), /must be a JSON object/],
    [
      'unknown dtype',
      rawFile({ w: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, data8),
      /tensor "w": unsupported dtype "C64"/,
    ],
    [
      'bad shape',
      rawFile({ w: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data8),
      /tensor "w": shape must be/,
    ],
    [
      'bad offsets',
      rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [8] } }, data8),
      /tensor "w": data_offsets must be/,
    ],
    [
      'offsets past data',
      rawFile({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data8),
      /tensor "w": data_offsets \[0, 16\] run past the 8-byte data section/,
    ],
    [
      'shape vs bytes',
      rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data8),
      /tensor "w": shape \[3\] of F32 needs 12 bytes/,
    ],
    [
      'overlap',
      rawFile(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        data8,
      ),
      /overlap the previous tensor/,
    ],
    [
      'hole',
      rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data8),
      /tensor "a": hole in the data section/,
    ],
    ['trailing bytes', rawFile(good, new Uint8Array(12)), /cover 8 bytes of a 12-byte data section/],
    [
      'bad metadata',
      rawFile({ __metadata__: { a: 1 }, ...good }, data8),
      /__metadata__."a" must be a string/,
    ],
  ];
  for (const [what, bytes, re] of cases) {
    it(what, () => {
      expect(() => decodeSafetensors(bytes, 'bad.safetensors')).toThrow(SafetensorsError);
      expect(() => decodeSafetensors(bytes, 'bad.safetensors')).toThrow(/^bad\.safetensors: /);
      expect(() => decodeSafetensors(bytes, 'bad.safetensors')).toThrow(re);
    });
  }

  it('a truncated real file fails cleanly at every cut point', () => {
    const bytes = readFileSync(fixturePath('golden_optim.safetensors'));
    for (let cut = 0; cut < bytes.length; cut += 97)
      expect(() => decodeSafetensors(bytes.subarray(0, cut), 'cut')).toThrow(SafetensorsError);
  });

  it('names the path when the file is missing', () => {
    const p = join(dir, 'missing.safetensors');
    expect(() => readSafetensors(p)).toThrow(
      new RegExp(`${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot read`),
    );
    writeFileSync(join(dir, 'junk.safetensors'), 'hello world');
    expect(() => readSafetensors(join(dir, 'junk.safetensors'))).toThrow(
      /junk\.safetensors: header length \d+ exceeds|runs past/,
    );
  });
});
