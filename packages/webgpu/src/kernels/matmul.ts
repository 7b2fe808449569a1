/** Batched matmul on the tiled GEMM: out (batch, m, n) = op(a) @ op(b), transposes and broadcasts as strides. */
import type { MatmulArgs } from '@asma/kernels';
import type { GpuArray } from '../array.js';
import type { GpuContext } from '../context.js';
import { bindAliased } from '../ewise.js';
import { runGemm, TILE_64 } from './gemm.js';

export function matmul(ctx: GpuContext, out: GpuArray, a: GpuArray, b: GpuArray, args: MatmulArgs): void {
  const { batch, m, k, n } = args;
  for (const [name, v] of Object.entries({ batch, m, k, n }))
    if (!(Number.isInteger(v) && v >= 0))
      throw new RangeError(`webgpu matmul: ${name} must be a non-negative integer, got ${v}`);
  const sa = args.strideA ?? m * k;
  const sb = args.strideB ?? k * n;
  const transA = args.transA ?? false;
  const transB = args.transB ?? false;
  const accumulate = args.accumulate ?? false;
  if (out.length !== batch * m * n)
    throw new RangeError(
      `webgpu matmul: out must have batch * m * n = ${batch * m * n} elements, got ${out.length}`,
    );
  if (batch > 0 && (batch - 1) * sa + m * k > a.length)
    throw new RangeError(
      `webgpu matmul: a has ${a.length} elements, fewer than batch ${batch} x stride ${sa} needs`,
    );
  if (batch > 0 && (batch - 1) * sb + k * n > b.length)
    throw new RangeError(
      `webgpu matmul: b has ${b.length} elements, fewer than batch ${batch} x stride ${sb} needs`,
    );
  // One pipeline for every variant: the transposes and accumulation are uniform branches (each
  // variant compiled separately cost seconds of shader compilation per variant on SwiftShader).
  const loadA = `
  if (p.transA != 0u) { return a[b * p.strideA + k * p.M + m]; }
  return a[b * p.strideA + m * p.K + k];`;
  const loadB = `
  if (p.transB != 0u) { return bm[b * p.strideB + n * p.K + k]; }
  return bm[b * p.strideB + k * p.N + n];`;
  const store = `
  let at = (b * p.M + m) * p.N + n;
  if (p.accumulate != 0u) { out[at] = out[at] + v; } else { out[at] = v; }`;
  const bound = bindAliased(ctx, [out], [a, b]);
  runGemm(
    ctx,
    {
      key: 'matmul',
      tile: TILE_64,
      fields: ['strideA', 'strideB', 'transA', 'transB', 'accumulate'],
      bindings: `@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> bm: array<f32>;`,
      loadA,
      loadB,
      store,
      aAlongK: true,
      bAlongN: true,
    },
    { m, n, k, batch, splits: 1, values: [sa, sb, +transA, +transB, +accumulate], arrays: bound.arrays },
  );
  bound.done();
}
