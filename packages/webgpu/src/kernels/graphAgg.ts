/**
 * The graph aggregation y[n,c,t,w] = sum_k sum_v x[n,k,c,t,v] A[k,v,w] and its gradients on the tiled
 * GEMM, with rows r = (n, c, t) (R = N C T), so that x's (k, v) and dx's (k, v) are strided gathers:
 *   forward:  y (R, W) = X (R, K V) @ A (K V, W)
 *   backward input: dx (R, K V) = dy (R, W) @ A^T (W, K V)
 *   backward adjacency: dA (K V, W) = X^T (K V, R) @ dy (R, W), split along R
 */
import type { GraphAggArgs } from '@asma/kernels';
import { GpuArray } from '../array.js';
import type { GpuContext } from '../context.js';
import { bindAliased } from '../ewise.js';
import { reduceSplits, runGemm, splitsFor, TILE_64, TILE_NARROW, TILE_SMALL_M } from './gemm.js';

const FIELDS = ['kk', 'ct', 'v', 'w'];

function geometry(entry: string, g: GraphAggArgs, arrays: Record<string, [GpuArray, number]>): number[] {
  for (const k of ['n', 'k', 'c', 't', 'v', 'w'] as const)
    if (!(Number.isInteger(g[k]) && g[k] >= 0))
      throw new RangeError(`webgpu ${entry}: ${k} must be a non-negative integer, got ${g[k]}`);
  for (const [name, [arr, n]] of Object.entries(arrays))
    if (arr.length !== n)
      throw new RangeError(`webgpu ${entry}: ${name} must have ${n} elements, got ${arr.length}`);
  return [g.k, g.c * g.t, g.v, g.w];
}

/** x[n, k, c, t, v] for row r = (n, ct) and column (k, v). */
const X_AT = '((r / p.ct) * p.kk + kv / p.v) * p.ct * p.v + (r % p.ct) * p.v + kv % p.v';

export function graphAggForward(
  ctx: GpuContext,
  y: GpuArray,
  x: GpuArray,
  a: GpuArray,
  g: GraphAggArgs,
): void {
  const r = g.n * g.c * g.t;
  const values = geometry('graphAggForward', g, {
    y: [y, r * g.w],
    x: [x, r * g.k * g.v],
    a: [a, g.k * g.v * g.w],
  });
  const bound = bindAliased(ctx, [y], [x, a]);
  runGemm(
    ctx,
    {
      key: 'graphAggForward',
      tile: g.w <= 32 ? TILE_NARROW : TILE_64,
      fields: FIELDS,
      bindings: `@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> adj: array<f32>;`,
      loadA: `let r = m; let kv = k; return x[${X_AT}];`,
      loadB: 'return adj[k * p.w + n];',
      store: 'y[m * p.w + n] = v;',
      aAlongK: true,
      bAlongN: true,
    },
    { m: r, n: g.w, k: g.k * g.v, batch: 1, splits: 1, values, arrays: bound.arrays },
  );
  bound.done();
}

export function graphAggBackwardInput(
  ctx: GpuContext,
  dx: GpuArray,
  dy: GpuArray,
  a: GpuArray,
  g: GraphAggArgs,
): void {
  const r = g.n * g.c * g.t;
  const values = geometry('graphAggBackwardInput', g, {
    dx: [dx, r * g.k * g.v],
    dy: [dy, r * g.w],
    a: [a, g.k * g.v * g.w],
  });
  const bound = bindAliased(ctx, [dx], [dy, a]);
  runGemm(
    ctx,
    {
      key: 'graphAggBackwardInput',
      tile: TILE_64,
      fields: FIELDS,
      bindings: `@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> adj: array<f32>;`,
      loadA: 'return dy[m * p.w + k];',
      // A^T[w, (k, v)] = A[(k, v), w].
      loadB: 'return adj[n * p.w + k];',
      store: `let r = m; let kv = n; dx[${X_AT}] = v;`,
      aAlongK: true,
      bAlongN: false,
    },
    { m: r, n: g.k * g.v, k: g.w, batch: 1, splits: 1, values, arrays: bound.arrays },
  );
  bound.done();
}

export function graphAggBackwardAdjacency(
  ctx: GpuContext,
  dA: GpuArray,
  dy: GpuArray,
  x: GpuArray,
  g: GraphAggArgs,
): void {
  const r = g.n * g.c * g.t;
  const values = geometry('graphAggBackwardAdjacency', g, {
    dA: [dA, g.k * g.v * g.w],
    dy: [dy, r * g.w],
    x: [x, r * g.k * g.v],
  });
  const m = g.k * g.v;
  const splits = splitsFor(m, g.w, r, TILE_SMALL_M);
  const partial = ctx.pool.take(Math.max(1, splits * m * g.w) * 4).buffer;
  const bound = bindAliased(ctx, [], [dy, x]);
  runGemm(
    ctx,
    {
      key: 'graphAggBackwardAdjacency',
      tile: TILE_SMALL_M,
      fields: FIELDS,
      bindings: `@group(0) @binding(1) var<storage, read_write> partial: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;`,
      loadA: `let r = k; let kv = m; return x[${X_AT}];`,
      loadB: 'return dy[k * p.w + n];',
      store: 'partial[(split * p.M + m) * p.N + n] = v;',
      aAlongK: false,
      bAlongN: true,
    },
    { m, n: g.w, k: r, batch: 1, splits, values, arrays: [partial, ...bound.arrays] },
  );
  bound.done();
  reduceSplits(ctx, dA, new GpuArray(partial, splits * m * g.w, dA.owner), splits);
  ctx.pool.give(partial);
}
