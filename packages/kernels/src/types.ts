/**
 * The kernel table: plain functions over FloatArray with explicit sizes and an `out` parameter.
 * Autodiff calls kernels only through a `KernelBackend`, so a gpu.js backend slots in by providing
 * the same table. Layouts are C-order (row-major), PyTorch's.
 */

/** Host storage of a tensor: float32 in production, float64 for gradient checks and references. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Storage that lives on a device (a GPUBuffer on WebGPU). It has the identity fields of a typed
 * array (`buffer` names the allocation, `byteOffset` is 0, `byteLength` covers it whole) so that the
 * engine's bookkeeping (who holds a gradient, which buffers a scope allocated) treats both alike; its
 * values are reachable only through the backend that made it. Always float32.
 */
export interface DeviceArray {
  readonly onDevice: true;
  readonly length: number;
  readonly buffer: object;
  readonly byteOffset: 0;
  readonly byteLength: number;
}

/** A tensor's storage, owned by the active backend: host arrays on the CPU, device arrays on WebGPU. */
export type Storage = FloatArray | DeviceArray;

export function isDeviceArray(s: Storage): s is DeviceArray {
  return (s as DeviceArray).onDevice === true;
}

/** Element-wise maps. Parameters: pow (p), clamp (min, max), affine (scale, shift: scale * x + shift), divScalar (d: x / d), rdiv (c: c / x), leakyRelu (slope). */
export type UnaryOp =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'square'
  | 'abs'
  | 'pow'
  | 'clamp'
  | 'affine'
  | 'divScalar'
  | 'rdiv'
  | 'relu'
  | 'leakyRelu'
  | 'sigmoid'
  | 'tanh'
  | 'gelu';

/**
 * Element-wise binary maps over equal-length arrays (broadcasting is a `gather` first). klDiv(a, b):
 * b > 0 ? b (log b - a) : 0, with a log-probabilities and b probabilities (F.kl_div's pointwise term).
 */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'klDiv';

/** Softmax or log-softmax along the middle axis of (outer, n, inner). */
export interface SoftmaxArgs {
  outer: number;
  n: number;
  inner: number;
  log: boolean;
}

/** Adam's update of one parameter; the scalars are precomputed for this step (torch.optim.Adam). */
export interface AdamArgs {
  b1: number;
  b2: number;
  eps: number;
  /** L2 term added to the gradient (Adam's weight decay; 0 for AdamW). */
  l2: number;
  /** lr / (1 - b1^step). */
  stepSize: number;
  /** sqrt(1 - b2^step). */
  bc2Sqrt: number;
  /** AdamW's decoupled decay factor applied to p first (1: none). */
  decay: number;
}

/** SGD's update (torch.optim.SGD); `buf` is the momentum buffer (null when momentum is 0). */
export interface SgdArgs {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** The momentum buffer's first step (it takes d as it is). */
  first: boolean;
}

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

export interface BatchNormForwardArgs<S = FloatArray> {
  x: S;
  out: S;
  runs: ChannelRuns;
  /** Training: the batch mean and biased variance are computed into `mean` and `variance`; eval: read from them. */
  training: boolean;
  mean: S;
  variance: S;
  /** Out: 1 / sqrt(variance + eps) per channel. */
  rstd: S;
  eps: number;
  weight: S | null;
  bias: S | null;
  relu: boolean;
  /** Only channels [from, to) (default all): threads split a call by channels. */
  channels?: readonly [number, number];
}

export interface BatchNormBackwardArgs<S = FloatArray> {
  /** Gradient of the output. */
  g: S;
  x: S;
  /** The forward output when it went through ReLU (g is masked by reluOut > 0 first), else null. */
  reluOut: S | null;
  runs: ChannelRuns;
  mean: S;
  rstd: S;
  weight: S | null;
  training: boolean;
  /** Out: the input gradient, or null when not needed. */
  gx: S | null;
  /** Out: sum g (the bias gradient) and sum g * xhat (the weight gradient) per channel. */
  sumG: S;
  sumGXhat: S;
  /** Only channels [from, to) (default all). */
  channels?: readonly [number, number];
}

/**
 * The kernel table. Every op of @asma/autodiff runs through it, so the storage `S` belongs to the
 * backend: host typed arrays on the CPU backends (`KernelBackend<FloatArray>`), device arrays on
 * WebGPU. Kernels are plain functions with `out` parameters; an output is written whole
 * ("overwrites") unless the entry says it accumulates. Sizes come from the arrays' `length` and the
 * args. The CPU backends' float64 support is for gradient checks; a device backend may take float32 only.
 */
export interface KernelBackend<S = FloatArray> {
  /** Backend name as reported to users ('cpu', 'cpu-reference', 'webgpu', ...). */
  readonly name: string;
  /** Threads the heavy kernels are split over (1 when absent). */
  readonly threads?: number;
  /** True for a backend whose storage lives on a device (ops then move host tensors there on first use). */
  readonly deviceStorage?: boolean;
  /** The adapter behind a device backend, as it describes itself (vendor, architecture). */
  readonly adapter?: { vendor: string; architecture: string; description?: string };

  // ---- storage ----
  /**
   * Storage for n values, zero-filled when `zeroed`. CPU: null lets the caller use a plain typed array
   * (the threaded backend hands out shared memory so its workers write tensors in place).
   */
  allocate?(n: number, float64: boolean, zeroed: boolean): S | null;
  /** Storage the caller no longer references (device backends pool it). */
  release?(s: S): void;
  /** Device storage holding `data` (the CPU backends return `data` itself). */
  upload(data: FloatArray): S;
  /** The values, read back (CPU: `s` itself, no copy). */
  read(s: S): Promise<FloatArray>;
  /** Synchronous read: the CPU backends only (a device backend throws, naming `read`). */
  readSync(s: S): FloatArray;
  /**
   * Hands the work recorded so far to the device now (a device backend that batches its commands;
   * absent on the CPU). The training loop calls it after each step so that the device runs that step
   * while the host prepares the next batch.
   */
  flush?(): void;
  /** Per-channel statistics storage for batch norm (float64 on the CPU, float32 on a device), zeroed. */
  allocateStats(n: number): S;

  // ---- element-wise and data movement ----
  /** out[offset .. offset + n) = value (default the whole array). */
  fill(out: S, value: number, offset?: number, n?: number): void;
  /** out = src, converting precision where they differ. */
  copy(out: S, src: S): void;
  /** dst += src (equal lengths). */
  accumulate(dst: S, src: S): void;
  /** out = op(x) with the op's parameters p0, p1. */
  unary(op: UnaryOp, out: S, x: S, p0?: number, p1?: number): void;
  /** gx = g * op'(x), with y = op(x) (the ops that need it read y). */
  unaryGrad(op: UnaryOp, gx: S, g: S, x: S, y: S, p0?: number, p1?: number): void;
  /** out = op(a, b) over equal lengths. */
  binary(op: BinaryOp, out: S, a: S, b: S): void;
  /** The gradient of op(a, b) = out to operand `which` (0: a, 1: b) from g, over equal lengths. */
  binaryGrad(op: BinaryOp, which: 0 | 1, gx: S, g: S, a: S, b: S, out: S): void;
  /** out (contiguous, `shape`) [i] = src[offset + sum_d idx_d strides_d]: expand, permute, slice. */
  gather(out: S, src: S, shape: readonly number[], strides: readonly number[], offset: number): void;
  /**
   * dst[offset + sum_d idx_d strides_d] += src[i] for i over `shape` (C-order). The strides must not
   * send two elements to one place (slice and concat's adjoints); reductions use `reduceSum`.
   */
  scatterAdd(dst: S, src: S, shape: readonly number[], strides: readonly number[], offset: number): void;
  /** As scatterAdd, but stores instead of adding (concat, slice's adjoint into a fresh array). */
  scatter(dst: S, src: S, shape: readonly number[], strides: readonly number[], offset: number): void;
  /**
   * out[j] = sum of src over the elements that `strides` (into out, 0 on reduced axes) send to j, src of
   * `shape`; accumulated in float64 on the CPU, rounded once. Overwrites out.
   */
  reduceSum(out: S, src: S, shape: readonly number[], strides: readonly number[]): void;
  /** out (rows, n) = src (n) repeated: a bias broadcast over rows. */
  repeatRows(out: S, src: S, rows: number): void;
  /** out = softmax or log-softmax of x along the middle axis of (outer, n, inner). */
  softmax(out: S, x: S, args: SoftmaxArgs): void;
  /** gx from g and the forward output y. */
  softmaxGrad(gx: S, g: S, y: S, args: SoftmaxArgs): void;
  /** out (n) = -logp[i, labels[i]] of logp (n, c). */
  nll(out: S, logp: S, labels: Int32Array, c: number): void;
  /** gx (n, c) = 0 except gx[i, labels[i]] = -g[i]. */
  nllGrad(gx: S, g: S, labels: Int32Array, c: number): void;

  // ---- the heavy kernels ----
  matmul(out: S, a: S, b: S, args: MatmulArgs): void;
  /** out (N, Cout, Tout, V) = conv(x, w (Cout, Cin, kt)) + bias (Cout) (bias may be null). */
  tconvForward(out: S, x: S, w: S, bias: S | null, args: TconvArgs): void;
  /** dx (N, Cin, T, V) = d/dx given dy (N, Cout, Tout, V); overwrites dx. */
  tconvBackwardInput(dx: S, dy: S, w: S, args: TconvArgs): void;
  /** dw (Cout, Cin, kt) and dbias (Cout, or null) from dy and x; overwrites them. */
  tconvBackwardWeight(dw: S, dbias: S | null, dy: S, x: S, args: TconvArgs): void;
  /** y (N, C, T, W) = sum_k x_k A_k; overwrites y. */
  graphAggForward(y: S, x: S, a: S, args: GraphAggArgs): void;
  /** dx (N, K, C, T, V) = sum_w dy[n,c,t,w] A[k,v,w]; overwrites dx. */
  graphAggBackwardInput(dx: S, dy: S, a: S, args: GraphAggArgs): void;
  /** dA (K, V, W) = sum_{n,c,t} x[n,k,c,t,v] dy[n,c,t,w]; overwrites dA. */
  graphAggBackwardAdjacency(dA: S, dy: S, x: S, args: GraphAggArgs): void;

  // ---- normalisation, activation, regularisation (cpu/elementwise/ops.ts has the contracts) ----
  batchNormForward(args: BatchNormForwardArgs<S>): void;
  batchNormBackward(args: BatchNormBackwardArgs<S>): void;
  /**
   * running = (1 - momentum) running + momentum batch, with the variance made unbiased
   * (variance * count / (count - 1)); either running array may be null.
   */
  batchNormRunningUpdate(
    runningMean: S | null,
    runningVar: S | null,
    mean: S,
    variance: S,
    momentum: number,
    count: number,
  ): void;
  addRelu(out: S, a: S, b: S): void;
  reluMask(out: S, src: S, x: S): void;
  /** Inverted dropout keyed by `key` (0 < p < 1): mask = keep / (1 - p), out = x * mask. */
  dropout(out: S, mask: S, x: S, p: number, key: number): void;

  // ---- optimisers (parameters and state updated in place) ----
  /**
   * The steps return whether every updated parameter value is finite where that costs nothing (the
   * CPU fuses it into the update loop); a device backend returns undefined rather than read back.
   */
  adamStep(p: S, g: S, m: S, v: S, args: AdamArgs): boolean | undefined;
  sgdStep(p: S, g: S, buf: S | null, args: SgdArgs): boolean | undefined;
  /** Whether every value is finite (the NaN guard; a device backend reads back one flag). */
  allFinite(s: S): Promise<boolean>;
}
