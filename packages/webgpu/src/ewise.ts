/**
 * The one-thread-per-element kernel shape shared by the element-wise, optimiser and small kernels:
 * a WGSL body over index `i < p.n`, output and input arrays bound in order after the parameters.
 */
import { GpuArray } from './array.js';
import { ENTRY_BUILTINS, GpuContext, LINEAR_INDEX, type Slot } from './context.js';

export interface EwSpec {
  /** Pipeline cache key (must name every variant of the code). */
  key: string;
  /** WGSL struct fields after `n: u32` (4-byte scalars: slot word k + 1 is field k). */
  fields?: string;
  outs: string[];
  ins: string[];
  /** WGSL statements; `i` is the element index, `p` the parameters. */
  body: string;
  /** WGSL functions the body calls. */
  helpers?: string;
}

export function ewShader(s: EwSpec): string {
  const decl = [
    ...s.outs.map((name, k) => `@group(0) @binding(${k + 1}) var<storage, read_write> ${name}: array<f32>;`),
    ...s.ins.map(
      (name, k) => `@group(0) @binding(${s.outs.length + k + 1}) var<storage, read> ${name}: array<f32>;`,
    ),
  ];
  return `
struct P { n: u32, ${s.fields ?? ''} }
@group(0) @binding(0) var<uniform> p: P;
${decl.join('\n')}
${s.helpers ?? ''}
@compute @workgroup_size(256)
fn main(${ENTRY_BUILTINS}) {
  let i = ${LINEAR_INDEX};
  if (i >= p.n) { return; }
  ${s.body}
}`;
}

/**
 * Arrays to bind for a dispatch that writes `outs` and reads `ins`: an input that is also an output
 * (in-place calls) is read from a copy, as WebGPU forbids binding one buffer writable and readable in
 * one dispatch. `done()` returns the copies to the pool after recording.
 */
export function bindAliased(
  ctx: GpuContext,
  outs: GpuArray[],
  ins: (GpuArray | GPUBuffer)[],
): { arrays: (GpuArray | GPUBuffer)[]; done(): void } {
  const temps: GpuArray[] = [];
  const outBuffers = new Set(outs.map((o) => o.buffer));
  if (outBuffers.size !== outs.length) throw new Error('webgpu: two outputs of one kernel share a buffer');
  const read = ins.map((a) => {
    if (!(a instanceof GpuArray) || !outBuffers.has(a.buffer)) return a;
    const { buffer } = ctx.pool.take(a.length * 4);
    const copy = new GpuArray(buffer, a.length, a.owner);
    ctx.commands().copyBufferToBuffer(a.buffer, 0, buffer, 0, Math.ceil((a.length * 4) / 4) * 4);
    temps.push(copy);
    return copy;
  });
  return {
    arrays: [...outs, ...read],
    done: () => {
      for (const t of temps) ctx.pool.give(t.buffer);
    },
  };
}

/** Records an element-wise dispatch over n elements; `params` fills the slot words after n. */
export function runEw(
  ctx: GpuContext,
  spec: EwSpec,
  outs: GpuArray[],
  ins: (GpuArray | GPUBuffer)[],
  n: number,
  params?: (s: Slot) => void,
): void {
  if (n === 0) return;
  const pipeline = ctx.pipeline(spec.key, () => ewShader(spec));
  const { slot, offset } = ctx.slot();
  slot.u[0] = n;
  params?.(slot);
  const b = bindAliased(ctx, outs, ins);
  ctx.dispatch(pipeline, offset, b.arrays, GpuContext.grid1d(n));
  b.done();
}
