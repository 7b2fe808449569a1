/** ST-GCN's two heavy ops, dispatched to the active kernel backend: temporal convolution and graph aggregation. */
import { getBackend, tconvOutLength } from '@asma/kernels';
import { record } from '../grad/tape.js';
import { allocate, assertSameDtype, storageOf, Tensor } from '../tensor.js';
import { ArgumentError, fmtShape, ShapeError } from './errors.js';

// Outputs come from allocate(..., false): these kernels overwrite them whole (@asma/kernels' contract).

export interface Conv2dTemporalOptions {
  stride?: number;
  pad?: number;
}

/**
 * Temporal convolution over x (N, Cin, T, V) with w (Cout, Cin, kt, 1) in PyTorch layout and optional bias (Cout):
 * torch.nn.Conv2d(Cin, Cout, (kt, 1), stride=(stride, 1), padding=(pad, 0)).
 */
export function conv2dTemporal(
  x: Tensor,
  w: Tensor,
  bias: Tensor | null = null,
  opts: Conv2dTemporalOptions = {},
): Tensor {
  const stride = opts.stride ?? 1;
  const pad = opts.pad ?? 0;
  if (!Number.isInteger(stride) || stride < 1)
    throw new ArgumentError(`conv2dTemporal: stride must be a positive integer, got ${stride}`);
  if (!Number.isInteger(pad) || pad < 0)
    throw new ArgumentError(`conv2dTemporal: pad must be a non-negative integer, got ${pad}`);
  assertSameDtype('conv2dTemporal', x, w);
  if (x.ndim !== 4)
    throw new ShapeError(`conv2dTemporal: input must be (N, Cin, T, V), got ${fmtShape(x.shape)}`);
  if (w.ndim !== 4 || w.shape[3] !== 1)
    throw new ShapeError(`conv2dTemporal: weight must be (Cout, Cin, kt, 1), got ${fmtShape(w.shape)}`);
  const [n, cin, t, v] = x.shape as [number, number, number, number];
  const [cout, wcin, kt] = w.shape as [number, number, number];
  if (wcin !== cin)
    throw new ShapeError(
      `conv2dTemporal: input ${fmtShape(x.shape)} has ${cin} channels but weight ${fmtShape(w.shape)} expects ${wcin}`,
    );
  if (bias !== null) {
    assertSameDtype('conv2dTemporal', x, bias);
    if (bias.ndim !== 1 || bias.shape[0] !== cout)
      throw new ShapeError(
        `conv2dTemporal: bias must be (${cout}) for weight ${fmtShape(w.shape)}, got ${fmtShape(bias.shape)}`,
      );
  }
  const args = { n, cin, cout, t, v, kt, stride, pad };
  const tout = tconvOutLength(args);
  if (tout < 1)
    throw new ShapeError(
      `conv2dTemporal: input ${fmtShape(x.shape)} is too short for kernel ${fmtShape(w.shape)} with pad ${pad}`,
    );
  const out = new Tensor(allocate(x.dtype, n * cout * tout * v, false), [n, cout, tout, v]);
  const xs = storageOf(x);
  const ws = storageOf(w);
  getBackend().tconvForward(
    out.storage,
    xs,
    ws,
    bias === null || bias === undefined ? null : storageOf(bias),
    args,
  );
  const inputs = bias === null ? [x, w] : [x, w, bias];
  return record(out, 'conv2dTemporal', inputs, (g) => {
    const be = getBackend();
    let gx = null;
    let gw = null;
    let gb = null;
    if (x.requiresGrad) {
      gx = allocate(x.dtype, x.size, false);
      be.tconvBackwardInput(gx, g, ws, args);
    }
    const needB = bias?.requiresGrad ?? false;
    if (w.requiresGrad || needB) {
      gw = allocate(x.dtype, w.size, false);
      gb = needB ? allocate(x.dtype, cout, false) : null;
      be.tconvBackwardWeight(gw, gb, g, xs, args);
    }
    return [gx, w.requiresGrad ? gw : null, gb];
  });
}

/**
 * Graph aggregation y[n,c,t,w] = sum_k sum_v x[n,k,c,t,v] * A[k,v,w] for x (N, K, C, T, V) and A (K, V, W),
 * with gradients to both x and A (learnable edge importance is an elementwise mul on A before this op).
 */
export function graphAggregate(x: Tensor, a: Tensor): Tensor {
  assertSameDtype('graphAggregate', x, a);
  if (x.ndim !== 5)
    throw new ShapeError(`graphAggregate: input must be (N, K, C, T, V), got ${fmtShape(x.shape)}`);
  if (a.ndim !== 3)
    throw new ShapeError(`graphAggregate: adjacency must be (K, V, W), got ${fmtShape(a.shape)}`);
  const [n, k, c, t, v] = x.shape as [number, number, number, number, number];
  const [ak, av, w] = a.shape as [number, number, number];
  if (ak !== k || av !== v)
    throw new ShapeError(
      `graphAggregate: input ${fmtShape(x.shape)} (K=${k}, V=${v}) does not match adjacency ${fmtShape(a.shape)} (K=${ak}, V=${av})`,
    );
  const args = { n, k, c, t, v, w };
  const out = new Tensor(allocate(x.dtype, n * c * t * w, false), [n, c, t, w]);
  const xs = storageOf(x);
  const as = storageOf(a);
  getBackend().graphAggForward(out.storage, xs, as, args);
  return record(out, 'graphAggregate', [x, a], (g) => {
    const be = getBackend();
    let gx = null;
    let ga = null;
    if (x.requiresGrad) {
      gx = allocate(x.dtype, x.size, false);
      be.graphAggBackwardInput(gx, g, as, args);
    }
    if (a.requiresGrad) {
      ga = allocate(x.dtype, a.size, false);
      be.graphAggBackwardAdjacency(ga, g, xs, args);
    }
    return [gx, ga];
  });
}
