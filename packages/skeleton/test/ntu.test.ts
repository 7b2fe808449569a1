import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isNtuTraining,
  type NtuSequence,
  parseNameList,
  parseNtuName,
  parseNtuSkeleton,
  SkeletonEmptyError,
  SkeletonParseError,
  selectActors,
} from '../src/index.js';
import { readNtuSkeleton } from '../src/node/index.js';

const FIX = join(import.meta.dirname, 'fixtures', 'ntu');
const fixture = (name: string) => join(FIX, name);

function errorOf(f: () => unknown): SkeletonParseError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(SkeletonParseError);
    return err as SkeletonParseError;
  }
  throw new Error('expected a SkeletonParseError');
}

describe('parseNtuSkeleton', () => {
  it('reads the real first lines, a 0-body frame, 64-bit body ids as strings', () => {
    const seq = readNtuSkeleton(fixture('S001C001P001R001A001.skeleton'));
    expect(seq.frames.length).toBe(6);
    expect(seq.frames.map((f) => f.bodies.length)).toEqual([1, 1, 0, 1, 1, 1]);
    const b = seq.frames[0]!.bodies[0]!;
    expect(b.id).toBe('72057594037931101');
    expect(Number(b.id)).not.toBe(72057594037931101n); // beyond 2^53: a number would lose digits
    expect([...b.info]).toEqual([0, 1, 1, 1, 1, 0, 0.02764709, 0.05745083, 2]);
    expect([...b.xyz.subarray(0, 3)]).toEqual([0.2181153, 0.1725972, 3.785547]);
    expect(b.tracking[0]).toBe(2);
  });

  it('names file, line and field in errors', () => {
    const e = errorOf(() => readNtuSkeleton(fixture('S001C001P008R001A005.skeleton')));
    expect(e.message).toBe(
      "S001C001P008R001A005.skeleton:5: joint 1 field 'z': expected a finite number, got 'abc'",
    );
    expect([e.file, e.line, e.field]).toEqual(['S001C001P008R001A005.skeleton', 5, "joint 1 field 'z'"]);
    expect(errorOf(() => readNtuSkeleton(fixture('S001C001P009R001A006.skeleton'))).message).toBe(
      "S001C001P009R001A006.skeleton:5: joint 1 field 'y': expected a finite number, got 'NaN'",
    );
    expect(errorOf(() => readNtuSkeleton(fixture('S001C001P007R001A004.skeleton'))).message).toBe(
      'S001C001P007R001A004.skeleton:4: frame 1 body 1 numJoints: expected 25 joints, got 24',
    );
    expect(errorOf(() => readNtuSkeleton(fixture('S001C003P006R001A003.skeleton'))).message).toMatch(
      /^S001C003P006R001A003\.skeleton:\d+: .*(truncated|expected 12 values)/,
    );
  });

  it('rejects empty sequences with SkeletonEmptyError', () => {
    expect(() => readNtuSkeleton(fixture('S001C002P005R001A002.skeleton'))).toThrow(SkeletonEmptyError);
    expect(() => parseNtuSkeleton('0\n', 'x')).toThrow('x:1: numFrames: expected at least 1 frame, got 0');
    expect(() => parseNtuSkeleton('', 'x')).toThrow(
      'x:1: numFrames: expected 1 value, got end of file (truncated)',
    );
  });

  it('rejects trailing garbage, Inf, hex, bad counts', () => {
    const text = readFileSync(fixture('S002C002P003R002A050.skeleton'), 'utf8');
    expect(() => parseNtuSkeleton(`${text}\n\n`, 'f')).not.toThrow();
    expect(() => parseNtuSkeleton(`${text}7\n`, 'f')).toThrow(/trailing data '7'/);
    expect(() => parseNtuSkeleton(text.replace('0.1 0.2 0.3 0.4 2', '0.1 0.2 Infinity 0.4 2'), 'f')).toThrow(
      "f:5: joint 1 field 'orientationY': expected a finite number, got 'Infinity'",
    );
    expect(() => parseNtuSkeleton(text.replace('0.1 0.2 0.3 0.4 2', '0.1 0.2 0x3 0.4 2'), 'f')).toThrow(
      /'0x3'/,
    );
    expect(() => parseNtuSkeleton(text.replace(/^5/, '1.5'), 'f')).toThrow(
      "f:1: numFrames: expected an integer in 0..1000000, got '1.5'",
    );
    expect(() => parseNtuSkeleton(text.replace(/\r\n2\r\n/, '\r\n-1\r\n'), 'f')).toThrow('frame 1 numBodies');
    expect(() => parseNtuSkeleton(text.replace('0.1 0.2 0.3 0.4 2', '0.1 0.2 0.3 0.4 7'), 'f')).toThrow(
      "f:5: joint 1 field 'trackingState': expected an integer in 0..2, got '7'",
    );
    expect(() => parseNtuSkeleton(text.replace(/^(\d+\r\n\d+\r\n)72057594037931200/, '$1-72'), 'f')).toThrow(
      "field 'bodyID'",
    );
    // Coordinates beyond +-1e6 m are corrupt (and would overflow float32 in the preprocessing).
    expect(() => parseNtuSkeleton(text.replace(/(\r\n25\r\n)[-\d.]+ /, '$12e38 '), 'f')).toThrow(
      "f:5: joint 1 field 'x': expected a coordinate within +-1000000 m, got '2e+38'",
    );
  });
});

describe('parseNtuName', () => {
  it('reads setup, camera, subject, replication, action and label', () => {
    expect(parseNtuName('/raw/S017C003P020R002A060.skeleton')).toEqual({
      name: 'S017C003P020R002A060',
      setup: 17,
      camera: 3,
      subject: 20,
      replication: 2,
      action: 60,
      label: 59,
    });
  });
  it('rejects malformed and out-of-range names', () => {
    expect(() => parseNtuName('S001C001P001R001A001.txt')).toThrow(SkeletonParseError);
    expect(() => parseNtuName('S001C004P001R001A001.skeleton')).toThrow(
      'file name camera: expected 1..3, got 4',
    );
    expect(() => parseNtuName('S001C001P001R001A121')).toThrow('action: expected 1..120, got 121');
    expect(() => parseNtuName('S000C001P001R001A001')).toThrow('setup');
  });
});

describe('splits', () => {
  const meta = (n: string) => parseNtuName(n);
  it('xsub, xview, xset', () => {
    expect(isNtuTraining(meta('S001C001P001R001A001'), 'ntu60', 'xsub')).toBe(true);
    expect(isNtuTraining(meta('S001C001P003R001A001'), 'ntu60', 'xsub')).toBe(false);
    expect(isNtuTraining(meta('S020C001P045R001A001'), 'ntu60', 'xsub')).toBe(false);
    expect(isNtuTraining(meta('S020C001P045R001A001'), 'ntu120', 'xsub')).toBe(true);
    expect(isNtuTraining(meta('S001C001P001R001A001'), 'ntu60', 'xview')).toBe(false);
    expect(isNtuTraining(meta('S001C002P001R001A001'), 'ntu60', 'xview')).toBe(true);
    expect(isNtuTraining(meta('S002C001P001R001A001'), 'ntu120', 'xset')).toBe(true);
    expect(isNtuTraining(meta('S003C001P001R001A001'), 'ntu120', 'xset')).toBe(false);
    expect(() => isNtuTraining(meta('S003C001P001R001A001'), 'ntu60', 'xset')).toThrow('ntu60 has no xset');
  });
  it('missing lists: one name per line, extension optional, comments ignored', () => {
    expect([...parseNameList('S001C002P005R002A008\r\nS001C002P006R001A008.skeleton\n\n# note\n')]).toEqual([
      'S001C002P005R002A008',
      'S001C002P006R001A008',
    ]);
  });
});

describe('selectActors', () => {
  const xAt = (clip: { data: Float32Array; frames: number }, t: number, v: number, m: number) =>
    clip.data[((0 * clip.frames + t) * 25 + v) * 2 + m];

  it('one actor: body 2 zero, the 0-body frame zero', () => {
    const seq = readNtuSkeleton(fixture('S001C001P001R001A001.skeleton'));
    const clip = selectActors(seq);
    expect(clip.frames).toBe(6);
    expect(clip.data.length).toBe(3 * 6 * 25 * 2);
    expect(xAt(clip, 0, 0, 0)).toBe(Math.fround(0.2181153));
    for (let t = 0; t < 6; t++) for (let v = 0; v < 25; v++) expect(xAt(clip, t, v, 1)).toBe(0);
    for (let v = 0; v < 25; v++) expect(xAt(clip, 2, v, 0)).toBe(0);
  });

  it('keeps two actors ordered by energy and drops a near-static noise body', () => {
    const two = readNtuSkeleton(fixture('S002C002P003R002A050.skeleton'));
    const noisy = readNtuSkeleton(fixture('S003C003P004R001A051.skeleton'));
    const a = selectActors(two);
    const b = selectActors(noisy);
    // Body B (amplitude 0.08, slot 2) is livelier than A (0.05, slot 1): it comes first.
    expect(xAt(a, 0, 0, 0)).toBe(Math.fround(two.frames[0]!.bodies[1]!.xyz[0]!));
    expect(xAt(a, 0, 0, 1)).toBe(Math.fround(two.frames[0]!.bodies[0]!.xyz[0]!));
    // The noisy file holds the same two actors in slots 1 and 3; its output is identical.
    expect(b.data).toEqual(a.data);
    // 'first' (ST-GCN's read_xyz, as CrosSCLR/AimCLR): the first two listed bodies, noise included.
    const f = selectActors(noisy, { strategy: 'first' });
    expect(xAt(f, 0, 0, 0)).toBe(Math.fround(noisy.frames[0]!.bodies[0]!.xyz[0]!));
    expect(xAt(f, 0, 0, 1)).toBe(Math.fround(noisy.frames[0]!.bodies[1]!.xyz[0]!));
  });

  it('energy = sum of per-channel population std over present frames (hand-computed)', () => {
    // Slot 1 moves 0.6 m in x between two frames: std 0.3. Slot 2 moves d in y and in z: 2 * d / 2.
    // Slot 3 moves 0.8 in x but is present in one frame only: energy 0.
    const mk = (dx: number, dy: number, dz: number) => {
      const xyz = new Float64Array(75);
      for (let v = 0; v < 25; v++) xyz.set([1 + dx, 1 + dy, 1 + dz], 3 * v);
      return { id: '1', info: new Float64Array(9), xyz, tracking: new Uint8Array(25) };
    };
    const seq = (d: number): NtuSequence => ({
      file: 'h',
      frames: [
        { bodies: [mk(0, 0, 0), mk(0, 0, 0), mk(0.8, 0, 0)] },
        { bodies: [mk(0.6, 0, 0), mk(0, d, d)] },
      ],
    });
    const yAt = (c: { data: Float32Array; frames: number }, t: number, m: number) =>
      c.data[(1 * c.frames + t) * 25 * 2 + m];
    const low = selectActors(seq(0.2)); // energies 0.3, 0.2, 0
    expect([xAt(low, 1, 0, 0), yAt(low, 1, 1)]).toEqual([Math.fround(1.6), Math.fround(1.2)]);
    const high = selectActors(seq(0.4)); // energies 0.3, 0.4, 0: slot 2 first
    expect([yAt(high, 1, 0), xAt(high, 1, 0, 1)]).toEqual([Math.fround(1.4), Math.fround(1.6)]);
    // Slot 3 (energy 0) is never kept when two bodies move.
    expect(low.data.includes(Math.fround(1.8))).toBe(false);
  });
});
