import { IntTensor } from '../io/int-tensor.js';
import { fmtShape, ShapeError } from '../ops/errors.js';
import { batchNorm, layerNorm } from '../ops/norm.js';
import { type DType, full, type Tensor } from '../tensor.js';
import { checkPositive } from './linear.js';
import { Module } from './module.js';

export interface BatchNormOptions {
  eps?: number;
  /** Running-average weight of the new batch (default 0.1); null = cumulative average (1 / num_batches_tracked). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
  dtype?: DType;
}

/**
 * The shared part of BatchNorm1d/2d with torch's parameters and buffers: weight (ones), bias (zeros),
 * running_mean (zeros), running_var (ones), num_batches_tracked (int64 0, an IntTensor).
 */
abstract class BatchNormBase extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(
    readonly numFeatures: number,
    opts: BatchNormOptions = {},
  ) {
    super();
    checkPositive(this.constructor.name, { numFeatures });
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const dtype = { dtype: opts.dtype ?? 'float32' } as const;
    this.registerParameter('weight', this.affine ? full([numFeatures], 1, dtype) : null);
    this.registerParameter('bias', this.affine ? full([numFeatures], 0, dtype) : null);
    this.registerBuffer('running_mean', this.trackRunningStats ? full([numFeatures], 0, dtype) : null);
    this.registerBuffer('running_var', this.trackRunningStats ? full([numFeatures], 1, dtype) : null);
    this.registerBuffer('num_batches_tracked', this.trackRunningStats ? IntTensor.int64Scalar(0) : null);
  }

  get weight(): Tensor | null {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.param('bias');
  }
  get runningMean(): Tensor | null {
    return this.buffer('running_mean') as Tensor | null;
  }
  get runningVar(): Tensor | null {
    return this.buffer('running_var') as Tensor | null;
  }
  get numBatchesTracked(): IntTensor | null {
    return this.buffer('num_batches_tracked') as IntTensor | null;
  }

  protected abstract checkInput(x: Tensor): void;

  /** `relu: true` fuses a following ReLU into the same op (bit-identical to relu(forward(x))). */
  forward(x: Tensor, opts: { relu?: boolean } = {}): Tensor {
    this.checkInput(x);
    let momentum = this.momentum ?? 0;
    const nbt = this.numBatchesTracked;
    if (this.training && nbt !== null) {
      (nbt.data as BigInt64Array)[0]! += 1n;
      if (this.momentum === null) momentum = 1 / nbt.item();
    }
    // Batch statistics in training mode, or when there are no running statistics to use (as torch).
    const useBatch = this.training || !this.trackRunningStats;
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: useBatch,
      momentum,
      eps: this.eps,
      relu: opts.relu ?? false,
    });
  }
}

/** BatchNorm over (N, C) or (N, C, L) inputs. */
export class BatchNorm1d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures)
      throw new ShapeError(
        `BatchNorm1d(${this.numFeatures}): input must be (N, ${this.numFeatures}) or (N, ${this.numFeatures}, L), got ${fmtShape(x.shape)}`,
      );
  }
}

/** BatchNorm over (N, C, H, W) inputs. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures)
      throw new ShapeError(
        `BatchNorm2d(${this.numFeatures}): input must be (N, ${this.numFeatures}, H, W), got ${fmtShape(x.shape)}`,
      );
  }
}

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  dtype?: DType;
}

/** Layer normalisation over the trailing `normalizedShape`; weight (ones) and bias (zeros) of that shape. */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    for (const [i, d] of this.normalizedShape.entries())
      checkPositive('LayerNorm', { [`normalizedShape[${i}]`]: d });
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    const dtype = { dtype: opts.dtype ?? 'float32' } as const;
    this.registerParameter('weight', affine ? full(this.normalizedShape, 1, dtype) : null);
    this.registerParameter('bias', affine ? full(this.normalizedShape, 0, dtype) : null);
  }

  get weight(): Tensor | null {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.param('bias');
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }
}
