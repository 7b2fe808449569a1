/**
 * The kernel table: plain functions over FloatArray with explicit sizes and an `out` parameter.
 * Autodiff calls kernels only through a `KernelBackend`, so a gpu.js backend slots in by providing
 * the same table. Layouts are C-order (row-major), PyTorch's.
 */

/** Storage of a tensor: float32 in production, float64 for gradient checks and references. */
export type FloatArray = Float32Array | Float64Array;

/** out (batch, m, n) = op(a) (batch, m, k) @ op(b) (batch, k, n). */
export interface MatmulArgs {
  batch: number;
  m: number;
  k: number;
  n: number;
  /** a is stored as (k, m) per batch and used transposed. */
  transA?: boolean;
  /** b is stored as (n, k) per batch and used transposed. */
  transB?: boolean;
  /** Elements between consecutive batch matrices of a (0 broadcasts one matrix); default m*k. */
  strideA?: number;
  /** Elements between consecutive batch matrices of b (0 broadcasts one matrix); default k*n. */
  strideB?: number;
  /** Add into out instead of overwriting it. */
  accumulate?: boolean;
}

/** Temporal convolution with a (kt x 1) kernel over x (N, Cin, T, V): PyTorch Conv2d(Cin, Cout, (kt, 1), (stride, 1), (pad, 0)). */
export interface TconvArgs {
  n: number;
  cin: number;
  cout: number;
  t: number;
  v: number;
  kt: number;
  stride: number;
  pad: number;
}

/** Graph aggregation y[n,c,t,w] = sum_k sum_v x[n,k,c,t,v] * A[k,v,w], x (N, K, C, T, V), A (K, V, W). */
export interface GraphAggArgs {
  n: number;
  k: number;
  c: number;
  t: number;
  v: number;
  w: number;
}

export function tconvOutLength(a: Pick<TconvArgs, 't' | 'kt' | 'stride' | 'pad'>): number {
  return Math.floor((a.t + 2 * a.pad - a.kt) / a.stride) + 1;
}

/** Geometry of one channel: n runs of `inner` elements, run ni starting at (ni * c + ch) * inner. */
export interface ChannelRuns {
  n: number;
  c: number;
  inner: number;
}

export interface BatchNormForwardArgs {
  x: FloatArray;
  out: FloatArray;
  runs: ChannelRuns;
  /** Training: the batch mean and biased variance are computed into `mean` and `variance`; eval: read from them. */
  training: boolean;
  mean: Float64Array;
  variance: Float64Array;
  /** Out: 1 / sqrt(variance + eps) per channel. */
  rstd: Float64Array;
  eps: number;
  weight: FloatArray | null;
  bias: FloatArray | null;
  relu: boolean;
  /** Only channels [from, to) (default all): threads split a call by channels. */
  channels?: readonly [number, number];
}

export interface BatchNormBackwardArgs {
  /** Gradient of the output. */
  g: FloatArray;
  x: FloatArray;
  /** The forward output when it went through ReLU (g is masked by reluOut > 0 first), else null. */
  reluOut: FloatArray | null;
  runs: ChannelRuns;
  mean: Float64Array;
  rstd: Float64Array;
  weight: FloatArray | null;
  training: boolean;
  /** Out: the input gradient, or null when not needed. */
  gx: FloatArray | null;
  /** Out: sum g (the bias gradient) and sum g * xhat (the weight gradient) per channel. */
  sumG: Float64Array;
  sumGXhat: Float64Array;
  /** Only channels [from, to) (default all). */
  channels?: readonly [number, number];
}

export interface KernelBackend {
  /** Backend name as reported to users ('cpu', 'cpu-reference', gpu.js mode names, ...). */
  readonly name: string;
  /** Threads the heavy kernels are split over (1 when absent). */
  readonly threads?: number;
  /**
   * Storage for a large tensor, or null for a plain typed array: the threaded backend hands out
   * shared memory, so its workers read and write tensors in place instead of staging them (V8's
   * TypedArray fill is ~4x slower over shared memory, ~0.45 ns per float: still cheaper than a copy).
   */
  allocateKernelOutput?(n: number, float64: boolean): FloatArray | null;
  matmul(out: FloatArray, a: FloatArray, b: FloatArray, args: MatmulArgs): void;
  /** out (N, Cout, Tout, V) = conv(x, w (Cout, Cin, kt)) + bias (Cout) (bias may be null). */
  tconvForward(out: FloatArray, x: FloatArray, w: FloatArray, bias: FloatArray | null, args: TconvArgs): void;
  /** dx (N, Cin, T, V) = d/dx given dy (N, Cout, Tout, V); overwrites dx. */
  tconvBackwardInput(dx: FloatArray, dy: FloatArray, w: FloatArray, args: TconvArgs): void;
  /** dw (Cout, Cin, kt) and dbias (Cout, or null) from dy and x; overwrites them. */
  tconvBackwardWeight(
    dw: FloatArray,
    dbias: FloatArray | null,
    dy: FloatArray,
    x: FloatArray,
    args: TconvArgs,
  ): void;
  /** y (N, C, T, W) = sum_k x_k A_k; overwrites y. */
  graphAggForward(y: FloatArray, x: FloatArray, a: FloatArray, args: GraphAggArgs): void;
  /** dx (N, K, C, T, V) = sum_w dy[n,c,t,w] A[k,v,w]; overwrites dx. */
  graphAggBackwardInput(dx: FloatArray, dy: FloatArray, a: FloatArray, args: GraphAggArgs): void;
  /** dA (K, V, W) = sum_{n,c,t} x[n,k,c,t,v] dy[n,c,t,w]; overwrites dA. */
  graphAggBackwardAdjacency(dA: FloatArray, dy: FloatArray, x: FloatArray, args: GraphAggArgs): void;
  /**
   * Element-wise kernels (cpu/elementwise/ops.ts has their contracts): optional, callers fall back to
   * those functions; the threaded backend splits them over channels or elements.
   */
  batchNormForward?(args: BatchNormForwardArgs): void;
  batchNormBackward?(args: BatchNormBackwardArgs): void;
  addRelu?(out: FloatArray, a: FloatArray, b: FloatArray): void;
  reluMask?(out: FloatArray, src: FloatArray, x: FloatArray): void;
  dropout?(out: FloatArray, mask: FloatArray, x: FloatArray, p: number, key: number): void;
}
