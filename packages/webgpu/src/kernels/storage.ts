/** Storage entries: allocate / release through the pool, upload, read back, copy, and the NaN guard. */
import type { FloatArray } from '@asma/kernels';
import { GpuArray } from '../array.js';
import { ENTRY_BUILTINS, GpuContext, LINEAR_INDEX } from '../context.js';

export function allocate(
  ctx: GpuContext,
  owner: object,
  n: number,
  float64: boolean,
  zeroed: boolean,
): GpuArray {
  if (float64)
    throw new TypeError(
      'webgpu allocate: float64 storage is not supported (the WebGPU backend is float32 only)',
    );
  if (!(Number.isInteger(n) && n >= 0))
    throw new RangeError(`webgpu allocate: n must be a non-negative integer, got ${n}`);
  const { buffer, fresh } = ctx.pool.take(n * 4);
  // A fresh buffer is zero-filled by WebGPU; a reused one is cleared in queue order.
  if (zeroed && !fresh) ctx.commands().clearBuffer(buffer, 0, buffer.size);
  return new GpuArray(buffer, n, owner);
}

export function release(ctx: GpuContext, s: GpuArray): void {
  if (s.released) throw new Error('webgpu release: the array was already released');
  s.released = true;
  ctx.pool.give(s.buffer);
}

export function upload(ctx: GpuContext, owner: object, data: FloatArray): GpuArray {
  if (!(data instanceof Float32Array))
    throw new TypeError(
      `webgpu upload: expected a Float32Array, got ${data?.constructor?.name ?? typeof data} (the WebGPU backend is float32 only)`,
    );
  const arr = allocate(ctx, owner, data.length, false, false);
  // Commands recorded before this upload must run before it overwrites a reused buffer.
  ctx.flush();
  if (data.length > 0)
    ctx.device.queue.writeBuffer(arr.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return arr;
}

export async function read(ctx: GpuContext, s: GpuArray): Promise<Float32Array> {
  if (s.length === 0) return new Float32Array(0);
  return new Float32Array(await ctx.readBytes(s.buffer, s.length * 4));
}

/** out[0 .. src.length) = src (as a typed array's set: src may not be longer). */
export function copy(ctx: GpuContext, out: GpuArray, src: GpuArray): void {
  if (src.length > out.length)
    throw new RangeError(`webgpu copy: src has ${src.length} elements, more than out's ${out.length}`);
  if (src.length === 0 || src.buffer === out.buffer) return;
  ctx.commands().copyBufferToBuffer(src.buffer, 0, out.buffer, 0, src.length * 4);
}

const FINITE = `
struct P { n: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> flag: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@compute @workgroup_size(256)
fn main(${ENTRY_BUILTINS}) {
  let i = ${LINEAR_INDEX};
  if (i >= p.n) { return; }
  // Exponent bits all ones: Inf or NaN (bit test, as compilers may assume float math is finite).
  if ((bitcast<u32>(x[i]) & 0x7f800000u) == 0x7f800000u) { flag[0] = 1u; }
}`;

/** Whether every value is finite: one dispatch and one 4-byte readback. */
export async function allFinite(ctx: GpuContext, s: GpuArray): Promise<boolean> {
  if (s.length === 0) return true;
  const { buffer } = ctx.pool.take(4);
  ctx.commands().clearBuffer(buffer, 0, buffer.size);
  const pipeline = ctx.pipeline('allFinite', () => FINITE);
  const { slot, offset } = ctx.slot();
  slot.u[0] = s.length;
  ctx.dispatch(pipeline, offset, [buffer, s], GpuContext.grid1d(s.length));
  try {
    const bytes = await ctx.readBytes(buffer, 4);
    return new Uint32Array(bytes)[0] === 0;
  } finally {
    ctx.pool.give(buffer);
  }
}
