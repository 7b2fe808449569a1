import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad, randn } from '@asma/autodiff';
import { Rng } from '@asma/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStudent, foldedForward, quantizeClassifier } from '../src/index.js';
import {
  decodeModel,
  encodeModel,
  loadClassifierModel,
  loadQuantizedModel,
  ModelFileError,
  saveClassifierModel,
  saveQuantizedModel,
  writeModelFile,
} from '../src/node/index.js';
import { randomizeStats, tinyClassifier, tinyDataset } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'model-file-'));
const x = randn([2, 3, 12, 25, 2], new Rng(4));

/** Recompute the checksum so that a mutated header reaches the validator (a hostile, not a corrupt, file). */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out.set(createHash('sha256').update(out.subarray(48)).digest(), 16);
  return out;
}

/** A file with the header replaced by `header` (JSON text), resealed. */
function withHeader(bytes: Uint8Array, mutate: (h: Record<string, unknown>) => void): Uint8Array {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  const h = JSON.parse(new TextDecoder().decode(bytes.subarray(48, 48 + len)));
  mutate(h);
  const text = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(48 + text.length + bytes.length - 48 - len);
  out.set(bytes.subarray(0, 48));
  new DataView(out.buffer).setUint32(12, text.length, true);
  out.set(text, 48);
  out.set(bytes.subarray(48 + len), 48 + text.length);
  return reseal(out);
}

describe('model file', () => {
  const model = tinyClassifier(4, 2, true);
  randomizeStats(model, 3);
  model.eval();
  const floatPath = join(dir, 'float.asma');
  saveClassifierModel(model, floatPath, { note: 'test' });
  const bytes = new Uint8Array(readFileSync(floatPath));

  it('round-trips a float classifier exactly', () => {
    const back = loadClassifierModel(floatPath);
    expect(back.encoder.plan).toEqual(model.encoder.plan);
    expect(noGrad(() => back.forward(x)).data).toEqual(noGrad(() => model.forward(x)).data);
  });

  it('round-trips an int8 model exactly and is about 4x smaller than the float file', () => {
    const data = tinyDataset({ perClass: 2, classes: 4, frames: 12 });
    const student = createStudent(4, { depth: 4, width: 16 }, 1);
    randomizeStats(student, 2);
    student.eval();
    const fp = join(dir, 'student.asma');
    const ip = join(dir, 'student-int8.asma');
    const floatBytes = saveClassifierModel(student, fp);
    const q = quantizeClassifier(student, data, { batches: 1, batchSize: 8 });
    const intBytes = saveQuantizedModel(q, ip);
    expect(statSync(ip).size).toBe(intBytes);
    const ratio = floatBytes / intBytes;
    expect(ratio).toBeGreaterThan(3.3);
    expect(ratio).toBeLessThan(4.2);
    const back = loadQuantizedModel(ip);
    const xd = x.data as Float32Array;
    expect(foldedForward(back, xd, x.shape, 'int8')).toEqual(foldedForward(q, xd, x.shape, 'int8'));
    // A tiny model with a per-block adjacency (edge importance) also round-trips.
    const q2 = quantizeClassifier(model, data, { batches: 1, batchSize: 8 });
    saveQuantizedModel(q2, join(dir, 'edge-int8.asma'));
    const back2 = loadQuantizedModel(join(dir, 'edge-int8.asma'));
    expect(foldedForward(back2, xd, x.shape, 'int8')).toEqual(foldedForward(q2, xd, x.shape, 'int8'));
  });

  const cases: [string, Uint8Array, RegExp][] = [
    ['short', bytes.subarray(0, 20), /size: 20 bytes is shorter/],
    [
      'magic',
      (() => {
        const b = Uint8Array.from(bytes);
        b[0] = 0x50;
        return b;
      })(),
      /magic/,
    ],
    [
      'version',
      (() => {
        const b = Uint8Array.from(bytes);
        b[8] = 9;
        return b;
      })(),
      /version: format version 9/,
    ],
    ['truncated', bytes.subarray(0, bytes.length - 3), /checksum: SHA-256 mismatch/],
    [
      'flipped payload byte',
      (() => {
        const b = Uint8Array.from(bytes);
        b[b.length - 10]! ^= 0x10;
        return b;
      })(),
      /checksum/,
    ],
    [
      'header not JSON',
      (() => {
        const b = Uint8Array.from(bytes);
        b[48] = 0x7b + 1;
        return reseal(b);
      })(),
      /header: not valid UTF-8 JSON/,
    ],
    [
      'unknown dtype',
      withHeader(bytes, (h) => {
        (h.tensors as { dtype: string }[])[0]!.dtype = 'f64';
      }),
      /tensors\[0\]\.dtype: must be 'f32' or 'i8'/,
    ],
    [
      'shape past payload',
      withHeader(bytes, (h) => {
        (h.tensors as { shape: number[] }[])[1]!.shape = [1e6];
      }),
      /tensors\[1\]: .* runs past the/,
    ],
    [
      'overlap',
      withHeader(bytes, (h) => {
        (h.tensors as { offset: number }[])[2]!.offset = 0;
      }),
      /overlaps/,
    ],
    [
      'bad shape entries',
      withHeader(bytes, (h) => {
        (h.tensors as { shape: unknown }[])[0]!.shape = [-1];
      }),
      /shape: must be/,
    ],
    [
      'kind',
      withHeader(bytes, (h) => {
        h.kind = 'other';
      }),
      /header.kind: is 'other'/,
    ],
    [
      'huge architecture',
      withHeader(bytes, (h) => {
        (h.architecture as { blocks: { out: number }[] }).blocks[2]!.out = 4000;
      }),
      /architecture: needs at least/,
    ],
    [
      'chaining',
      withHeader(bytes, (h) => {
        (h.architecture as { blocks: { in: number }[] }).blocks[1]!.in = 5;
      }),
      /blocks\[1\]\.in: is 5 but the previous stage gives 6/,
    ],
    [
      'missing tensor',
      withHeader(bytes, (h) => {
        const t = h.tensors as { name: string }[];
        t[3]!.name = 'extra';
      }),
      /is missing|not part/,
    ],
    [
      'code in the header is data',
      withHeader(bytes, (h) => {
        h.kind = 'require("child_process").execSync("touch /tmp/pwned")';
      }),
      /header.kind: is 'require/,
    ],
  ];
  for (const [name, b, re] of cases)
    it(`rejects a bad file: ${name}`, () => {
      const p = join(dir, `bad-${name.replace(/\W/g, '_')}.asma`);
      writeFileSync(p, b);
      expect(() => loadClassifierModel(p)).toThrow(ModelFileError);
      expect(() => loadClassifierModel(p)).toThrow(re);
      expect(() => loadClassifierModel(p)).toThrow(p);
    });

  it('rejects NaN weights and names the tensor', () => {
    const b = encodeModel({
      kind: 'stgcn-classifier',
      architecture: {},
      tensors: new Map([['w', { dtype: 'f32' as const, shape: [2], data: Float32Array.of(1, Number.NaN) }]]),
    });
    const p = join(dir, 'nan.asma');
    writeFileSync(p, b);
    expect(() => loadClassifierModel(p)).toThrow(/tensor w: holds NaN at element 1/);
  });

  it('refuses to write NaN or Inf weights, naming the file and the tensor (issue 21)', () => {
    const p = join(dir, 'inf.asma');
    const m = {
      kind: 'stgcn-classifier',
      architecture: {},
      tensors: new Map([
        ['w', { dtype: 'f32' as const, shape: [2], data: Float32Array.of(1, Number.POSITIVE_INFINITY) }],
      ]),
    };
    expect(() => writeModelFile(p, m)).toThrow(ModelFileError);
    expect(() => writeModelFile(p, m)).toThrow(
      `${p}: tensor w: holds Infinity at element 1; refusing to write`,
    );
    expect(existsSync(p)).toBe(false);
  });

  it('fuzz: truncations and byte flips give ModelFileError only', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bytes.length }),
        fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { maxLength: 4 }),
        fc.boolean(),
        (cut, flips, sealed) => {
          let b: Uint8Array = Uint8Array.from(bytes.subarray(0, cut));
          for (const f of flips) if (b.length > 0) b[f.at % b.length]! ^= f.xor;
          if (sealed && b.length >= 48) b = reseal(b);
          try {
            decodeModel(b, 'fuzz.asma');
          } catch (err) {
            expect(err).toBeInstanceOf(ModelFileError);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fuzz: hostile headers (checksum recomputed) give ModelFileError or a valid model', () => {
    const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: len - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        (flips) => {
          const b = Uint8Array.from(bytes);
          for (const f of flips) b[48 + f.at]! ^= f.xor;
          const p = join(dir, 'hostile.asma');
          writeFileSync(p, reseal(b));
          try {
            loadClassifierModel(p);
          } catch (err) {
            expect(err).toBeInstanceOf(ModelFileError);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('fuzz: hostile int8 files (checksum recomputed) give ModelFileError or a valid model', () => {
    const data = tinyDataset({ perClass: 1, classes: 4, frames: 12 });
    const ip = join(dir, 'fuzz-int8.asma');
    saveQuantizedModel(quantizeClassifier(model, data, { batches: 1, batchSize: 4 }), ip);
    const ib = new Uint8Array(readFileSync(ip));
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        (flips) => {
          const b = Uint8Array.from(ib);
          for (const f of flips) b[48 + (f.at % (b.length - 48))]! ^= f.xor;
          const p = join(dir, 'hostile-int8.asma');
          writeFileSync(p, reseal(b));
          try {
            loadQuantizedModel(p);
          } catch (err) {
            expect(err).toBeInstanceOf(ModelFileError);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
