/**
 * Inverted dropout with the CPU backend's mask bits: element i keeps when
 * dropoutHash(key, i) >= ceil(p * 2^32) (packages/kernels/src/cpu/elementwise/hash.ts, ported to u32
 * WGSL: the same Weyl step and lowbias32 mixer, u32 products wrapping as Math.imul's).
 */
import { expectLength, type GpuArray } from '../array.js';
import type { GpuContext } from '../context.js';
import { runEw } from '../ewise.js';

const HASH = `
fn dropoutHash(key: u32, index: u32) -> u32 {
  var h = index * 0x9e3779b9u + key;
  h = h ^ (h >> 16u);
  h = h * 0x7feb352du;
  h = h ^ (h >> 15u);
  h = h * 0x846ca68bu;
  h = h ^ (h >> 16u);
  return h;
}`;

export function dropout(
  ctx: GpuContext,
  out: GpuArray,
  mask: GpuArray,
  x: GpuArray,
  p: number,
  key: number,
): void {
  expectLength('dropout', out.length, { mask, x });
  if (!(p > 0 && p < 1)) throw new RangeError(`webgpu dropout: p must lie in (0, 1), got ${p}`);
  if (!Number.isInteger(key)) throw new RangeError(`webgpu dropout: key must be an integer, got ${key}`);
  const whole = Math.ceil(p * 4294967296);
  const body = `
  let keep = p.keepNone == 0u && dropoutHash(p.key, i) >= p.threshold;
  let m = select(0.0, p.scale, keep);
  mask[i] = m;
  out[i] = x[i] * m;`;
  runEw(
    ctx,
    {
      key: 'dropout',
      fields: 'key: u32, threshold: u32, keepNone: u32, scale: f32',
      outs: ['out', 'mask'],
      ins: ['x'],
      helpers: HASH,
      body,
    },
    [out, mask],
    [x],
    out.length,
    (s) => {
      s.u[1] = key >>> 0;
      // 2^32 would keep nothing (a draw is below it); it does not fit a u32.
      s.u[2] = whole >= 4294967296 ? 0 : whole;
      s.u[3] = whole >= 4294967296 ? 1 : 0;
      s.f[4] = 1 / (1 - p);
    },
  );
}
