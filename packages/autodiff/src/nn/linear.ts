import type { Rng } from '@asma/util';
import { add } from '../ops/elementwise.js';
import { fmtShape, ShapeError } from '../ops/errors.js';
import { matmul } from '../ops/linalg.js';
import { transpose } from '../ops/shape.js';
import type { DType, Tensor } from '../tensor.js';
import { fanInBias, kaimingUniform } from './init.js';
import { Module } from './module.js';

export interface LinearOptions {
  rng: Rng;
  bias?: boolean;
  dtype?: DType;
}

/** y = x W^T + b over the last axis; weight (out, in), bias (out) with PyTorch's default initialisation. */
export class Linear extends Module {
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions,
  ) {
    super();
    checkPositive('Linear', { inFeatures, outFeatures });
    this.registerParameter(
      'weight',
      kaimingUniform([outFeatures, inFeatures], opts.rng, Math.sqrt(5), opts.dtype),
    );
    this.registerParameter(
      'bias',
      (opts.bias ?? true) ? fanInBias(outFeatures, inFeatures, opts.rng, opts.dtype) : null,
    );
  }

  get weight(): Tensor {
    return this.param('weight')!;
  }
  get bias(): Tensor | null {
    return this.param('bias');
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== this.inFeatures)
      throw new ShapeError(
        `Linear(${this.inFeatures}, ${this.outFeatures}): input ${fmtShape(x.shape)} must end in ${this.inFeatures}`,
      );
    const y = matmul(x, transpose(this.weight, 0, 1));
    return this.bias === null ? y : add(y, this.bias);
  }
}

export function checkPositive(layer: string, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values))
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`${layer}: ${k} must be a positive integer, got ${v}`);
}
