import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alignShoulders, frame50, resizeFrames, SkeletonEmptyError, validLength } from '../src/index.js';
import { readNpy } from '../src/node/index.js';

const V = 25;
const M = 2;
const idx = (T: number, c: number, t: number, v: number, m: number) => ((c * T + t) * V + v) * M + m;

/** A (3, T, 25, 2) clip with value f(c, t, v, m). */
function clip(T: number, f: (c: number, t: number, v: number, m: number) => number): Float32Array {
  const x = new Float32Array(3 * T * V * M);
  for (let c = 0; c < 3; c++)
    for (let t = 0; t < T; t++)
      for (let v = 0; v < V; v++) for (let m = 0; m < M; m++) x[idx(T, c, t, v, m)] = f(c, t, v, m);
  return x;
}
const series = (x: Float32Array, T: number, c: number, v: number, m: number) =>
  Array.from({ length: T }, (_, t) => x[idx(T, c, t, v, m)]!);

describe('validLength', () => {
  it('counts frames where body 0 joint 0 is non-zero (a count, not a prefix)', () => {
    const x = clip(6, (c, t, v, m) => (m === 0 && v === 0 && c === 1 && t !== 2 && t < 5 ? 1 : 0));
    expect(validLength(x, 6)).toBe(4);
  });
});

describe('resizeFrames (cv2 INTER_LINEAR, half-pixel centres)', () => {
  const ramp = clip(4, (c, t) => (c === 0 ? t : 0)); // x = 0, 1, 2, 3 over 4 frames
  it('4 frames -> 2: src = 0.5 and 2.5', () => {
    expect(series(resizeFrames(ramp, 4, 2), 2, 0, 7, 1)).toEqual([0.5, 2.5]);
  });
  it('4 frames -> 6: src = -1/6 (clamped to 0), 1/2, 7/6, 11/6, 5/2, 19/6 (clamped to 3)', () => {
    const got = series(resizeFrames(ramp, 4, 6), 6, 0, 3, 0);
    const want = [0, 0.5, 7 / 6, 11 / 6, 2.5, 3];
    for (let i = 0; i < 6; i++) expect(got[i]).toBeCloseTo(want[i]!, 6);
  });
  it('same length is the identity; 1 frame is repeated', () => {
    const x = clip(5, (c, t, v, m) => Math.sin(c + 3 * t + 7 * v + 11 * m));
    expect(resizeFrames(x, 5, 5)).toEqual(x);
    expect(series(resizeFrames(x, 1, 3), 3, 2, 4, 1)).toEqual(new Array(3).fill(x[idx(1, 2, 0, 4, 1)]));
  });
});

describe('alignShoulders', () => {
  it('a shoulder vector along +z (summed z >= 0) is rotated by -90 deg onto +x', () => {
    const x = clip(2, (c, _t, v) =>
      v === 8 && c === 2 ? 1 : v === 3 && c === 0 ? 1 : v === 3 && c === 1 ? 0.5 : 0,
    );
    alignShoulders(x, 2, 0);
    // Right shoulder (0, 0, 1) -> (1, 0, 0); joint 4 (1, 0.5, 0) -> (0, 0.5, -1).
    for (let t = 0; t < 2; t++) {
      expect(x[idx(2, 0, t, 8, 0)]).toBeCloseTo(1, 6);
      expect(x[idx(2, 2, t, 8, 0)]).toBeCloseTo(0, 6);
      expect(x[idx(2, 0, t, 3, 0)]).toBeCloseTo(0, 6);
      expect(x[idx(2, 1, t, 3, 0)]).toBe(0.5);
      expect(x[idx(2, 2, t, 3, 0)]).toBeCloseTo(-1, 6);
    }
  });
  it('a 30 deg yaw is undone; one sign per sequence from the summed z', () => {
    const a = (30 * Math.PI) / 180;
    // Frame 0: shoulders at -30 deg (z < 0); frame 1: +10 deg (z > 0); sum of z < 0, so both use +theta.
    const angles = [-a, (10 * Math.PI) / 180];
    const x = clip(2, (c, t, v) => (v === 8 ? [Math.cos(angles[t]!), 0, Math.sin(angles[t]!)][c]! : 0));
    alignShoulders(x, 2, 0);
    // The reference's angle is acos(v.x / (|v| + 1e-4)), slightly more than the true angle.
    const theta = (v: number) => Math.acos(Math.cos(v) / (1 + 1e-4));
    const end0 = -a + theta(-a); // -30 deg rotated by about +30 deg: on +x
    expect(x[idx(2, 0, 0, 8, 0)]).toBeCloseTo(Math.cos(end0), 5);
    expect(x[idx(2, 2, 0, 8, 0)]).toBeCloseTo(Math.sin(end0), 5);
    expect(Math.abs(end0)).toBeLessThan(0.02);
    // +10 deg also rotated by +10 deg (the sequence's sign), ending near +20 deg, as the reference does.
    const end1 = angles[1]! + theta(angles[1]!);
    expect(x[idx(2, 0, 1, 8, 0)]).toBeCloseTo(Math.cos(end1), 5);
    expect(x[idx(2, 2, 1, 8, 0)]).toBeCloseTo(Math.sin(end1), 5);
  });
});

describe('frame50', () => {
  it('centres on joint 21, resizes the valid frames, leaves absent bodies zero', () => {
    // 4 valid frames then 2 zero frames; joint v of body 0 at (t + v, 2v, 5); no rotation here.
    const x = clip(6, (c, t, v, m) => (m === 0 && t < 4 ? [t + v, 2 * v, 5][c]! : 0));
    const y = frame50(x, 6, { frames: 2, yRotation: false });
    expect(y.length).toBe(3 * 2 * V * M);
    for (let t = 0; t < 2; t++) {
      for (let v = 0; v < V; v++) {
        expect(y[idx(2, 0, t, v, 0)]).toBe(v - 20);
        expect(y[idx(2, 1, t, v, 0)]).toBe(2 * (v - 20));
        expect(y[idx(2, 2, t, v, 0)]).toBe(0);
        for (let c = 0; c < 3; c++) expect(y[idx(2, c, t, v, 1)]).toBe(0);
      }
    }
  });
  it('rotation makes every frame shoulder-parallel to x; default 50 frames', () => {
    const yaw = 0.4;
    const x = clip(7, (c, t, v, m) => {
      if (m === 1) return 0;
      const px = (v % 5) * 0.1 + (v === 8 ? 0.3 : 0) + 0.01 * t;
      const pz = (v % 3) * 0.05;
      return [
        Math.cos(yaw) * px - Math.sin(yaw) * pz,
        1 + v * 0.01,
        3 + Math.sin(yaw) * px + Math.cos(yaw) * pz,
      ][c]!;
    });
    const y = frame50(x, 7);
    expect(y.length).toBe(3 * 50 * V * M);
    // Shoulders parallel to x up to the reference's +1e-4 in acos(v.x / (|v| + 1e-4)) (|v| ~ 0.21 m here).
    for (let t = 0; t < 50; t++) {
      const dz = y[idx(50, 2, t, 8, 0)]! - y[idx(50, 2, t, 4, 0)]!;
      const dx = y[idx(50, 0, t, 8, 0)]! - y[idx(50, 0, t, 4, 0)]!;
      expect(dx).toBeGreaterThan(0.2);
      expect(Math.abs(dz)).toBeLessThan(0.02 * dx);
    }
  });
  it('throws SkeletonEmptyError when body 0 joint 0 is never present', () => {
    expect(() => frame50(new Float32Array(3 * 4 * V * M), 4, { file: 'a.skeleton' })).toThrow(
      SkeletonEmptyError,
    );
  });
});

describe('frame50 against the reference (numpy + cv2, fixtures/ntu/make_frame50_fixture.py)', () => {
  // Centring and the cv2 resize are reproduced bit for bit: y (untouched by the rotation) must be
  // exact. x and z go through float32 acos/cos/sin, where numpy's SIMD float32 functions and our
  // correctly rounded ones may differ by an ulp; that moves a coordinate by a few 1e-7 m at most.
  const dir = join(import.meta.dirname, 'fixtures', 'ntu');
  const input = readNpy(join(dir, 'frame50_input.npy'));
  const [K, , Tin] = input.shape as [number, number, number];
  const rowIn = 3 * Tin * V * M;
  for (const TO of [50, 20, 70]) {
    it(`${TO} frames: y bit-exact, x and z within 1e-6 m of cv2/numpy`, () => {
      const want = readNpy(join(dir, `frame50_out${TO}.npy`)).data as Float32Array;
      let exact = 0;
      let worst = 0;
      for (let k = 0; k < K; k++) {
        const got = frame50((input.data as Float32Array).subarray(k * rowIn, (k + 1) * rowIn), Tin, {
          frames: TO,
        });
        const w = want.subarray(k * got.length, (k + 1) * got.length);
        const plane = TO * V * M;
        for (let i = 0; i < got.length; i++) {
          const err = Math.abs(got[i]! - w[i]!);
          if (i >= plane && i < 2 * plane) expect(got[i]).toBe(w[i]);
          worst = Math.max(worst, err);
          if (err === 0) exact++;
        }
      }
      if (process.env.FRAME50_REPORT)
        console.log(`T=${TO}: ${exact} of ${want.length} bit-exact, worst ${worst}`);
      expect(worst).toBeLessThanOrEqual(1e-6);
      expect(exact / want.length).toBeGreaterThan(0.9);
    });
  }
});
