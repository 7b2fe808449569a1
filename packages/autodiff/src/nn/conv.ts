import type { Rng } from '@asma/util';
import { conv2dTemporal } from '../ops/conv.js';
import { fmtShape, ShapeError } from '../ops/errors.js';
import type { DType, Tensor } from '../tensor.js';
import { fanInBias, kaimingUniform } from './init.js';
import { checkPositive } from './linear.js';
import { Module } from './module.js';

type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  rng: Rng;
  /** Temporal stride: s or [s, 1] (default 1). */
  stride?: Pair;
  /** Temporal padding: p or [p, 0] (default 0). */
  padding?: Pair;
  bias?: boolean;
  dtype?: DType;
}

function pair(v: Pair): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/**
 * torch.nn.Conv2d restricted to (kt x 1) kernels over (N, Cin, T, V): the temporal and 1x1 convolutions
 * of ST-GCN. Arguments read like PyTorch's: Conv2d(cin, cout, [9, 1], {stride: [2, 1], padding: [4, 0]})
 * or Conv2d(cin, cout, 1). weight (Cout, Cin, kt, 1), bias (Cout), PyTorch's default initialisation.
 */
export class Conv2d extends Module {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    opts: Conv2dOptions,
  ) {
    super();
    checkPositive('Conv2d', { inChannels, outChannels });
    const [kt, kv] = pair(kernelSize);
    const [st, sv] = pair(opts.stride ?? 1);
    const [pt, pv] = typeof opts.padding === 'number' ? [opts.padding, 0] : pair(opts.padding ?? 0);
    if (kv !== 1)
      throw new RangeError(`Conv2d: only (kt x 1) kernels are supported, got kernel size [${kt}, ${kv}]`);
    if (sv !== 1) throw new RangeError(`Conv2d: the stride along V must be 1, got [${st}, ${sv}]`);
    if (pv !== 0) throw new RangeError(`Conv2d: the padding along V must be 0, got [${pt}, ${pv}]`);
    checkPositive('Conv2d', { kernelSize: kt, stride: st });
    if (!Number.isInteger(pt) || pt < 0)
      throw new RangeError(`Conv2d: padding must be a non-negative integer, got ${pt}`);
    this.kernelSize = kt;
    this.stride = st;
    this.padding = pt;
    this.registerParameter(
      'weight',
      kaimingUniform([outChannels, inChannels, kt, 1], opts.rng, Math.sqrt(5), opts.dtype),
    );
    this.registerParameter(
      'bias',
      (opts.bias ?? true) ? fanInBias(outChannels, inChannels * kt, opts.rng, opts.dtype) : null,
    );
  }

  get weight(): Tensor {
    return this.param('weight')!;
  }
  get bias(): Tensor | null {
    return this.param('bias');
  }

  forward(x: Tensor): Tensor {
    return this.forwardWith(x, this.weight, this.bias);
  }

  /** This convolution (its input check, stride and padding) with other weights, e.g. foldBatchNorm's. */
  forwardWith(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels)
      throw new ShapeError(
        `Conv2d(${this.inChannels}, ${this.outChannels}): input must be (N, ${this.inChannels}, T, V), got ${fmtShape(x.shape)}`,
      );
    return conv2dTemporal(x, weight, bias, { stride: this.stride, pad: this.padding });
  }
}
