/**
 * Strided data movement over up to 8 axes: gather (expand, permute, slice), scatter and scatterAdd
 * (their adjoints), reduceSum. Shapes and strides travel in the parameter slot as vec4 arrays.
 */
import type { GpuArray } from '../array.js';
import { ENTRY_BUILTINS, GpuContext, LINEAR_GROUP, LINEAR_INDEX, type Slot } from '../context.js';
import { bindAliased } from '../ewise.js';

const MAX_DIMS = 8;

const STRIDED_PARAMS = `
struct P { shape: array<vec4<u32>, 2>, strides: array<vec4<i32>, 2>, nd: u32, n: u32, offset: i32 }
@group(0) @binding(0) var<uniform> p: P;
// The element of the strided array that C-order index i of the iteration shape visits.
fn stridedIndex(i: u32) -> i32 {
  var rem = i;
  var at = p.offset;
  for (var d = i32(p.nd) - 1; d >= 0; d--) {
    let extent = p.shape[d / 4][d % 4];
    at += i32(rem % extent) * p.strides[d / 4][d % 4];
    rem = rem / extent;
  }
  return at;
}`;

function checkShape(
  entry: string,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): number {
  if (shape.length !== strides.length)
    throw new RangeError(
      `webgpu ${entry}: shape (${shape.length} axes) and strides (${strides.length}) must match`,
    );
  if (shape.length > MAX_DIMS)
    throw new RangeError(`webgpu ${entry}: at most ${MAX_DIMS} axes, got ${shape.length}`);
  if (!Number.isInteger(offset) || offset < 0)
    throw new RangeError(`webgpu ${entry}: offset must be a non-negative integer, got ${offset}`);
  return shape.reduce((a, b) => a * b, 1);
}

function writeStrided(
  s: Slot,
  shape: readonly number[],
  strides: readonly number[],
  n: number,
  offset: number,
): void {
  shape.forEach((d, k) => {
    s.u[k] = d;
    s.i[8 + k] = strides[k]!;
  });
  s.u[16] = shape.length;
  s.u[17] = n;
  s.i[18] = offset;
}

/** The highest element a strided visit reaches (to check bounds on the host). */
function lastIndex(shape: readonly number[], strides: readonly number[], offset: number): number {
  return shape.reduce((at, d, k) => at + (d - 1) * Math.max(0, strides[k]!), offset);
}

function run(
  ctx: GpuContext,
  key: string,
  body: string,
  out: GpuArray,
  ins: GpuArray[],
  n: number,
  write: (s: Slot) => void,
): void {
  if (n === 0) return;
  const code = `${STRIDED_PARAMS}
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@compute @workgroup_size(256)
fn main(${ENTRY_BUILTINS}) {
  let i = ${LINEAR_INDEX};
  if (i >= p.n) { return; }
  ${body}
}`;
  const pipeline = ctx.pipeline(key, () => code);
  const { slot, offset } = ctx.slot();
  write(slot);
  const b = bindAliased(ctx, [out], ins);
  ctx.dispatch(pipeline, offset, b.arrays, GpuContext.grid1d(n));
  b.done();
}

export function gather(
  ctx: GpuContext,
  out: GpuArray,
  src: GpuArray,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): void {
  const n = checkShape('gather', shape, strides, offset);
  if (out.length !== n)
    throw new RangeError(`webgpu gather: out must have ${n} elements (the shape's), got ${out.length}`);
  if (n > 0 && lastIndex(shape, strides, offset) >= src.length)
    throw new RangeError(`webgpu gather: the strides reach past src's ${src.length} elements`);
  run(ctx, 'gather', 'dst[i] = src[stridedIndex(i)];', out, [src], n, (s) =>
    writeStrided(s, shape, strides, n, offset),
  );
}

/** dst[strided(i)] (+)= src[i]; the strides must not send two elements to one place. */
export function scatter(
  ctx: GpuContext,
  dst: GpuArray,
  src: GpuArray,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  add: boolean,
): void {
  const entry = add ? 'scatterAdd' : 'scatter';
  const n = checkShape(entry, shape, strides, offset);
  if (src.length !== n)
    throw new RangeError(`webgpu ${entry}: src must have ${n} elements (the shape's), got ${src.length}`);
  if (n > 0 && lastIndex(shape, strides, offset) >= dst.length)
    throw new RangeError(`webgpu ${entry}: the strides reach past dst's ${dst.length} elements`);
  const body = add
    ? 'let at = stridedIndex(i); dst[at] = dst[at] + src[i];'
    : 'dst[stridedIndex(i)] = src[i];';
  run(ctx, entry, body, dst, [src], n, (s) => writeStrided(s, shape, strides, n, offset));
}

const REDUCE_PARAMS = `
struct P {
  keptShape: array<vec4<u32>, 2>, keptOut: array<vec4<u32>, 2>, keptSrc: array<vec4<u32>, 2>,
  redShape: array<vec4<u32>, 2>, redSrc: array<vec4<u32>, 2>,
  nk: u32, nr: u32, nOut: u32, count: u32,
}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;
// Where output j's reduction starts in src.
fn keptBase(j: u32) -> u32 {
  var at = 0u;
  for (var d = 0u; d < p.nk; d++) {
    at += ((j / p.keptOut[d / 4u][d % 4u]) % p.keptShape[d / 4u][d % 4u]) * p.keptSrc[d / 4u][d % 4u];
  }
  return at;
}
// The offset of reduced element r (C-order over the reduced axes) from the base.
fn reducedOffset(r: u32) -> u32 {
  var rem = r;
  var at = 0u;
  for (var d = i32(p.nr) - 1; d >= 0; d--) {
    let extent = p.redShape[d / 4][d % 4];
    at += (rem % extent) * p.redSrc[d / 4][d % 4];
    rem = rem / extent;
  }
  return at;
}`;

const REDUCE_THREAD = `${REDUCE_PARAMS}
@compute @workgroup_size(256)
fn main(${ENTRY_BUILTINS}) {
  let j = ${LINEAR_INDEX};
  if (j >= p.nOut) { return; }
  let base = keptBase(j);
  var acc = 0.0;
  for (var r = 0u; r < p.count; r++) { acc += src[base + reducedOffset(r)]; }
  out[j] = acc;
}`;

const REDUCE_GROUP = `${REDUCE_PARAMS}
var<workgroup> partial: array<f32, 256>;
@compute @workgroup_size(256)
fn main(${ENTRY_BUILTINS}) {
  let j = ${LINEAR_GROUP};
  if (j >= p.nOut) { return; }
  let base = keptBase(j);
  var acc = 0.0;
  for (var r = li; r < p.count; r += 256u) { acc += src[base + reducedOffset(r)]; }
  partial[li] = acc;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half = half / 2u) {
    if (li < half) { partial[li] += partial[li + half]; }
    workgroupBarrier();
  }
  if (li == 0u) { out[j] = partial[0]; }
}`;

/** Reductions this long or longer use a workgroup per output. */
const GROUP_MIN = 128;

/**
 * out[j] = sum of src (C-order, `shape`) over the elements `strides` (into out, 0 on reduced axes) send
 * to j. The kept axes must lay out out compactly (every reduction autodiff makes does).
 */
export function reduceSum(
  ctx: GpuContext,
  out: GpuArray,
  src: GpuArray,
  shape: readonly number[],
  strides: readonly number[],
): void {
  const n = checkShape('reduceSum', shape, strides, 0);
  if (src.length !== n)
    throw new RangeError(`webgpu reduceSum: src must have ${n} elements (the shape's), got ${src.length}`);
  const srcStrides: number[] = [];
  for (let d = shape.length - 1, s = 1; d >= 0; d--) {
    srcStrides[d] = s;
    s *= shape[d]!;
  }
  const kept: number[] = [];
  const reduced: number[] = [];
  shape.forEach((extent, d) => {
    if (extent > 1) (strides[d] === 0 ? reduced : kept).push(d);
  });
  // Compact: sorted by stride, each kept axis's stride is the product of the smaller ones' extents.
  const byStride = [...kept].sort((a, b) => strides[a]! - strides[b]!);
  let expect = 1;
  for (const d of byStride) {
    if (strides[d] !== expect)
      throw new RangeError(
        `webgpu reduceSum: out's strides [${strides.join(', ')}] do not lay out the kept axes of shape [${shape.join(', ')}] compactly`,
      );
    expect *= shape[d]!;
  }
  if (out.length !== expect)
    throw new RangeError(`webgpu reduceSum: out must have ${expect} elements, got ${out.length}`);
  const count = reduced.reduce((a, d) => a * shape[d]!, 1);
  const group = count >= GROUP_MIN;
  if (out.length === 0) return;
  const pipeline = ctx.pipeline(group ? 'reduceSum:group' : 'reduceSum:thread', () =>
    group ? REDUCE_GROUP : REDUCE_THREAD,
  );
  const { slot, offset } = ctx.slot();
  kept.forEach((d, k) => {
    slot.u[k] = shape[d]!;
    slot.u[8 + k] = strides[d]!;
    slot.u[16 + k] = srcStrides[d]!;
  });
  reduced.forEach((d, k) => {
    slot.u[24 + k] = shape[d]!;
    slot.u[32 + k] = srcStrides[d]!;
  });
  slot.u.set([kept.length, reduced.length, out.length, n === 0 ? 0 : count], 40);
  const b = bindAliased(ctx, [out], [src]);
  ctx.dispatch(
    pipeline,
    offset,
    b.arrays,
    group ? GpuContext.groups(out.length) : GpuContext.grid1d(out.length),
  );
  b.done();
}
