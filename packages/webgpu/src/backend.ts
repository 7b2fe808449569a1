/**
 * The kernel table on WebGPU (`KernelBackend<GpuArray>`): every entry records compute dispatches on
 * the device without waiting; only `read` and `allFinite` read back (counted in `readbacks`).
 */
import type { FloatArray, KernelBackend } from '@asma/kernels';
import { expectGpu, GpuArray } from './array.js';
import { GpuContext } from './context.js';
import { type AdapterInfo, deviceFromAdapter, requestAdapter, tolerantDevice } from './device.js';
import { batchNormBackward, batchNormForward, batchNormRunningUpdate } from './kernels/batchNorm.js';
import { dropout } from './kernels/dropout.js';
import * as ew from './kernels/elementwise.js';
import { graphAggBackwardAdjacency, graphAggBackwardInput, graphAggForward } from './kernels/graphAgg.js';
import { matmul } from './kernels/matmul.js';
import { adamStep, sgdStep } from './kernels/optim.js';
import { nll, nllGrad, softmax, softmaxGrad } from './kernels/softmax.js';
import * as st from './kernels/storage.js';
import { gather, reduceSum, scatter } from './kernels/strided.js';
import { tconvBackwardInput, tconvBackwardWeight, tconvForward } from './kernels/tconv.js';

export interface WebGpuBackend extends KernelBackend<GpuArray> {
  readonly name: 'webgpu';
  readonly deviceStorage: true;
  readonly adapter: AdapterInfo;
  readonly device: GPUDevice;
  /** Buffers read back so far (read, allFinite). */
  readonly readbacks: number;
  /** Dispatches recorded so far. */
  readonly dispatches: number;
  /** Uncaptured device errors (validation, out of memory) seen so far: a correct run has none. */
  readonly errors: readonly string[];
  /** Bytes in live and in pooled buffers. */
  memory(): { live: number; pooled: number };
  /** Submits the recorded dispatches now (they are otherwise submitted at the end of the JS task). */
  flush(): void;
  /** Resolves when the device has finished all submitted work. */
  finish(): Promise<void>;
  /** Destroys the device (a Node process holding a Dawn device does not exit otherwise). */
  destroy(): void;
}

const READ_SYNC =
  'webgpu readSync: device storage cannot be read synchronously; use `await backend.read(s)` (or `await tensor.data()`)';

export function createWebGpuBackend(device: GPUDevice, adapter: AdapterInfo): WebGpuBackend {
  tolerantDevice(device);
  const ctx = new GpuContext(device);
  const errors: string[] = [];
  if (typeof device.addEventListener === 'function')
    device.addEventListener('uncapturederror', (e) =>
      errors.push((e as GPUUncapturedErrorEvent).error.message),
    );
  const backend = {} as WebGpuBackend;
  const G = (s: unknown, entry: string, arg: string): GpuArray => expectGpu(s, backend, entry, arg);
  const N = (s: unknown, entry: string, arg: string): GpuArray | null =>
    s === null ? null : G(s, entry, arg);
  Object.assign(backend, {
    name: 'webgpu',
    deviceStorage: true,
    adapter,
    device,
    errors,
    memory: () => ({ live: ctx.pool.liveBytes, pooled: ctx.pool.pooledBytes }),
    flush: () => ctx.flush(),
    finish: async () => {
      ctx.flush();
      await device.queue.onSubmittedWorkDone();
    },
    destroy: () => {
      ctx.flush();
      ctx.pool.trim();
      device.destroy();
    },

    allocate: (n: number, float64: boolean, zeroed: boolean) => st.allocate(ctx, backend, n, float64, zeroed),
    release: (s: GpuArray) => {
      if (s instanceof GpuArray && s.released)
        throw new Error('webgpu release: the array was already released');
      st.release(ctx, G(s, 'release', 's'));
    },
    upload: (data: FloatArray) => st.upload(ctx, backend, data),
    read: (s: GpuArray) => st.read(ctx, G(s, 'read', 's')),
    readSync: () => {
      throw new Error(READ_SYNC);
    },
    allocateStats: (n: number) => st.allocate(ctx, backend, n, false, true),

    fill: (out: GpuArray, value: number, offset?: number, n?: number) =>
      ew.fill(ctx, G(out, 'fill', 'out'), value, offset, n),
    copy: (out: GpuArray, src: GpuArray) => st.copy(ctx, G(out, 'copy', 'out'), G(src, 'copy', 'src')),
    accumulate: (dst: GpuArray, src: GpuArray) =>
      ew.accumulate(ctx, G(dst, 'accumulate', 'dst'), G(src, 'accumulate', 'src')),
    unary: (op, out, x, p0, p1) => ew.unary(ctx, op, G(out, 'unary', 'out'), G(x, 'unary', 'x'), p0, p1),
    unaryGrad: (op, gx, g, x, y, p0, p1) =>
      ew.unaryGrad(
        ctx,
        op,
        G(gx, 'unaryGrad', 'gx'),
        G(g, 'unaryGrad', 'g'),
        G(x, 'unaryGrad', 'x'),
        G(y, 'unaryGrad', 'y'),
        p0,
        p1,
      ),
    binary: (op, out, a, b) =>
      ew.binary(ctx, op, G(out, 'binary', 'out'), G(a, 'binary', 'a'), G(b, 'binary', 'b')),
    binaryGrad: (op, which, gx, g, a, b, out) =>
      ew.binaryGrad(
        ctx,
        op,
        which,
        G(gx, 'binaryGrad', 'gx'),
        G(g, 'binaryGrad', 'g'),
        G(a, 'binaryGrad', 'a'),
        G(b, 'binaryGrad', 'b'),
        G(out, 'binaryGrad', 'out'),
      ),
    gather: (out, src, shape, strides, offset) =>
      gather(ctx, G(out, 'gather', 'out'), G(src, 'gather', 'src'), shape, strides, offset),
    scatterAdd: (dst, src, shape, strides, offset) =>
      scatter(ctx, G(dst, 'scatterAdd', 'dst'), G(src, 'scatterAdd', 'src'), shape, strides, offset, true),
    scatter: (dst, src, shape, strides, offset) =>
      scatter(ctx, G(dst, 'scatter', 'dst'), G(src, 'scatter', 'src'), shape, strides, offset, false),
    reduceSum: (out, src, shape, strides) =>
      reduceSum(ctx, G(out, 'reduceSum', 'out'), G(src, 'reduceSum', 'src'), shape, strides),
    repeatRows: (out, src, rows) =>
      ew.repeatRows(ctx, G(out, 'repeatRows', 'out'), G(src, 'repeatRows', 'src'), rows),
    softmax: (out, x, a) => softmax(ctx, G(out, 'softmax', 'out'), G(x, 'softmax', 'x'), a),
    softmaxGrad: (gx, g, y, a) =>
      softmaxGrad(ctx, G(gx, 'softmaxGrad', 'gx'), G(g, 'softmaxGrad', 'g'), G(y, 'softmaxGrad', 'y'), a),
    nll: (out, logp, labels, c) => nll(ctx, G(out, 'nll', 'out'), G(logp, 'nll', 'logp'), labels, c),
    nllGrad: (gx, g, labels, c) => nllGrad(ctx, G(gx, 'nllGrad', 'gx'), G(g, 'nllGrad', 'g'), labels, c),

    matmul: (out, a, b, args) =>
      matmul(ctx, G(out, 'matmul', 'out'), G(a, 'matmul', 'a'), G(b, 'matmul', 'b'), args),
    tconvForward: (out, x, w, bias, args) =>
      tconvForward(
        ctx,
        G(out, 'tconvForward', 'out'),
        G(x, 'tconvForward', 'x'),
        G(w, 'tconvForward', 'w'),
        N(bias, 'tconvForward', 'bias'),
        args,
      ),
    tconvBackwardInput: (dx, dy, w, args) =>
      tconvBackwardInput(
        ctx,
        G(dx, 'tconvBackwardInput', 'dx'),
        G(dy, 'tconvBackwardInput', 'dy'),
        G(w, 'tconvBackwardInput', 'w'),
        args,
      ),
    tconvBackwardWeight: (dw, dbias, dy, x, args) =>
      tconvBackwardWeight(
        ctx,
        G(dw, 'tconvBackwardWeight', 'dw'),
        N(dbias, 'tconvBackwardWeight', 'dbias'),
        G(dy, 'tconvBackwardWeight', 'dy'),
        G(x, 'tconvBackwardWeight', 'x'),
        args,
      ),
    graphAggForward: (y, x, a, args) =>
      graphAggForward(
        ctx,
        G(y, 'graphAggForward', 'y'),
        G(x, 'graphAggForward', 'x'),
        G(a, 'graphAggForward', 'a'),
        args,
      ),
    graphAggBackwardInput: (dx, dy, a, args) =>
      graphAggBackwardInput(
        ctx,
        G(dx, 'graphAggBackwardInput', 'dx'),
        G(dy, 'graphAggBackwardInput', 'dy'),
        G(a, 'graphAggBackwardInput', 'a'),
        args,
      ),
    graphAggBackwardAdjacency: (dA, dy, x, args) =>
      graphAggBackwardAdjacency(
        ctx,
        G(dA, 'graphAggBackwardAdjacency', 'dA'),
        G(dy, 'graphAggBackwardAdjacency', 'dy'),
        G(x, 'graphAggBackwardAdjacency', 'x'),
        args,
      ),

    batchNormForward: (a) => {
      const e = 'batchNormForward';
      batchNormForward(ctx, {
        ...a,
        x: G(a.x, e, 'x'),
        out: G(a.out, e, 'out'),
        mean: G(a.mean, e, 'mean'),
        variance: G(a.variance, e, 'variance'),
        rstd: G(a.rstd, e, 'rstd'),
        weight: N(a.weight, e, 'weight'),
        bias: N(a.bias, e, 'bias'),
      });
    },
    batchNormBackward: (a) => {
      const e = 'batchNormBackward';
      batchNormBackward(ctx, {
        ...a,
        g: G(a.g, e, 'g'),
        x: G(a.x, e, 'x'),
        reluOut: N(a.reluOut, e, 'reluOut'),
        mean: G(a.mean, e, 'mean'),
        rstd: G(a.rstd, e, 'rstd'),
        weight: N(a.weight, e, 'weight'),
        gx: N(a.gx, e, 'gx'),
        sumG: G(a.sumG, e, 'sumG'),
        sumGXhat: G(a.sumGXhat, e, 'sumGXhat'),
      });
    },
    batchNormRunningUpdate: (rm, rv, mean, variance, momentum, count) => {
      const e = 'batchNormRunningUpdate';
      batchNormRunningUpdate(
        ctx,
        N(rm, e, 'runningMean'),
        N(rv, e, 'runningVar'),
        G(mean, e, 'mean'),
        G(variance, e, 'variance'),
        momentum,
        count,
      );
    },
    addRelu: (out, a, b) =>
      ew.addRelu(ctx, G(out, 'addRelu', 'out'), G(a, 'addRelu', 'a'), G(b, 'addRelu', 'b')),
    reluMask: (out, src, x) =>
      ew.reluMask(ctx, G(out, 'reluMask', 'out'), G(src, 'reluMask', 'src'), G(x, 'reluMask', 'x')),
    dropout: (out, mask, x, p, key) =>
      dropout(ctx, G(out, 'dropout', 'out'), G(mask, 'dropout', 'mask'), G(x, 'dropout', 'x'), p, key),

    adamStep: (p, g, m, v, args) =>
      adamStep(
        ctx,
        G(p, 'adamStep', 'p'),
        G(g, 'adamStep', 'g'),
        G(m, 'adamStep', 'm'),
        G(v, 'adamStep', 'v'),
        args,
      ),
    sgdStep: (p, g, buf, args) =>
      sgdStep(ctx, G(p, 'sgdStep', 'p'), G(g, 'sgdStep', 'g'), N(buf, 'sgdStep', 'buf'), args),
    allFinite: (s) => st.allFinite(ctx, G(s, 'allFinite', 's')),
  } satisfies Omit<
    WebGpuBackend,
    'name' | 'deviceStorage' | 'adapter' | 'device' | 'readbacks' | 'dispatches' | 'errors'
  > &
    Record<string, unknown>);
  // Live counters (Object.assign would copy a getter's value once).
  Object.defineProperties(backend, {
    readbacks: { get: () => ctx.readbacks, enumerable: true },
    dispatches: { get: () => ctx.dispatches, enumerable: true },
  });
  return backend;
}

/** A WebGPU backend on the first adapter: the browser's, or in Node Dawn's; fails saying why none. */
export async function requestWebGpuBackend(options?: GPURequestAdapterOptions): Promise<WebGpuBackend> {
  const adapter = await requestAdapter(options);
  const { device, info } = await deviceFromAdapter(adapter);
  return createWebGpuBackend(device, info);
}
