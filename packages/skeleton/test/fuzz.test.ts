import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  frame50,
  parseNtuName,
  parseNtuSkeleton,
  parsePkuLabels,
  parsePkuSkeleton,
  parsePkuSplit,
  pkuClip,
  SkeletonParseError,
  selectActors,
} from '../src/index.js';
import { parseDecimal } from '../src/ntu/lines.js';

const FIX = join(import.meta.dirname, 'fixtures');
const NTU_TEXT = readFileSync(join(FIX, 'ntu', 'S003C003P004R001A051.skeleton'), 'utf8');
const PKU_TEXT = readFileSync(join(FIX, 'pku', 'skeleton', '0003-R.txt'), 'utf8');
const LABEL_TEXT = readFileSync(join(FIX, 'pku', 'label', '0002-L.txt'), 'utf8');
const SPLIT_TEXT = readFileSync(join(FIX, 'pku', 'cross-subject.txt'), 'utf8');
const BUDGET_MS = 2000; // a hang would blow far past this; a fixture-sized file parses in ~1 ms

/** Runs f; the only acceptable failure is a SkeletonParseError, and it must be quick. */
function onlyTyped<T>(f: () => T): T | undefined {
  const start = performance.now();
  try {
    return f();
  } catch (err) {
    if (!(err instanceof SkeletonParseError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
    return undefined;
  } finally {
    expect(performance.now() - start).toBeLessThan(BUDGET_MS);
  }
}

const ALPHABET = '0123456789 .-+eE\n\r\taNnIif,x';
const char = fc.constantFrom(...ALPHABET.split(''));
/** A valid text damaged by truncation and up to 4 point edits. */
function mutated(text: string) {
  const edit = fc.record({
    pos: fc.nat(text.length),
    kind: fc.constantFrom('replace', 'insert', 'delete'),
    ch: char,
  });
  return fc
    .record({ cut: fc.nat(text.length), truncate: fc.boolean(), edits: fc.array(edit, { maxLength: 4 }) })
    .map(({ cut, truncate, edits }) => {
      let s = truncate ? text.slice(0, cut) : text;
      for (const e of edits) {
        const p = Math.min(e.pos, s.length);
        if (e.kind === 'replace') s = s.slice(0, p) + e.ch + s.slice(p + 1);
        else if (e.kind === 'insert') s = s.slice(0, p) + e.ch + s.slice(p);
        else s = s.slice(0, p) + s.slice(p + 1);
      }
      return s;
    });
}

describe('parseDecimal (the fast number reader)', () => {
  const same = (tok: string) => {
    const want = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(tok) ? Number(tok) : Number.NaN;
    const got = parseDecimal(tok, 0, tok.length);
    expect(Object.is(got, Number.isFinite(want) ? want : Number.NaN), `${tok}: ${got} vs ${want}`).toBe(true);
  };
  it('equals Number(token) bit for bit on decimal-looking tokens', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), maxLength: 22 });
    const tok = fc
      .tuple(
        fc.constantFrom('', '+', '-'),
        digits,
        fc.constantFrom('', '.'),
        digits,
        fc.constantFrom('', 'e', 'E', 'e-', 'e+'),
        fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), maxLength: 3 }),
      )
      .map((p) => p.join(''));
    fc.assert(fc.property(tok, same), { numRuns: 3000 });
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (d) => same(String(d))),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.string({ unit: char, maxLength: 12 }), same), { numRuns: 2000 });
    for (const t of [
      '0.2181153',
      '-0.05792645',
      '3.785547',
      '1e22',
      '1e23',
      '123456789012345678',
      '4.9e-324',
      '1e-400',
      '1e309',
      '.5',
      '5.',
      '-0',
      '1e',
      '.',
      'e5',
      '0x10',
      '1_0',
    ])
      same(t);
  });
});

describe('fuzz: parsers throw only typed errors, quickly', () => {
  it('NTU: random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => void onlyTyped(() => parseNtuSkeleton(s, 'f'))),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.string({ unit: char, maxLength: 300 }),
        (s) => void onlyTyped(() => parseNtuSkeleton(s, 'f')),
      ),
      { numRuns: 300 },
    );
  });

  it('NTU: truncated and mutated valid files; whatever parses also preprocesses', () => {
    fc.assert(
      fc.property(mutated(NTU_TEXT), (s) => {
        const seq = onlyTyped(() => parseNtuSkeleton(s, 'f'));
        if (!seq) return;
        const raw = selectActors(seq);
        const out = onlyTyped(() => frame50(raw.data, raw.frames, { frames: 8 }));
        if (out) expect(out.every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('NTU names', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => void onlyTyped(() => parseNtuName(s))),
      { numRuns: 300 },
    );
  });

  it('PKU: skeleton, label and split files', () => {
    fc.assert(
      fc.property(mutated(PKU_TEXT), (s) => {
        const sk = onlyTyped(() => parsePkuSkeleton(s, 'v'));
        if (!sk) return;
        const clip = onlyTyped(() => pkuClip(sk, { start: 1, end: Math.min(3, sk.frames), line: 1 }));
        if (clip) onlyTyped(() => frame50(clip.data, clip.frames, { frames: 4 }));
      }),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => void onlyTyped(() => parsePkuSkeleton(s, 'v'))),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(mutated(LABEL_TEXT), (s) => void onlyTyped(() => parsePkuLabels(s, 'l'))),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (s) => void onlyTyped(() => parsePkuLabels(s, 'l'))),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(mutated(SPLIT_TEXT), (s) => void onlyTyped(() => parsePkuSplit(s, 's'))),
      { numRuns: 300 },
    );
  });

  it('huge declared counts fail fast instead of hanging', () => {
    expect(() => parseNtuSkeleton('1000000\n1\n', 'f')).toThrow(SkeletonParseError);
    expect(() => parseNtuSkeleton('99999999999\n', 'f')).toThrow(
      'numFrames: expected an integer in 0..1000000',
    );
    expect(() => parseNtuSkeleton(`1\n64\n${'1 0 1 1 1 1 0 0 0 2\n25\n'}`, 'f')).toThrow(/truncated/);
  });
});
