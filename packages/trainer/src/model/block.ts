/**
 * One ST-GCN block as in the public ST-GCN code (st_gcn + ConvTemporalGraphical):
 *   gcn: 1x1 conv to K*Cout channels, then y[n,c,t,w] = sum_k sum_v x_k[n,c,t,v] A_k[v,w];
 *   tcn: BN, ReLU, (kt x 1) conv with temporal stride, BN, Dropout;
 *   residual: none, identity, or 1x1 conv (stride) + BN;  output ReLU(tcn + residual).
 */
import {
  addRelu,
  BatchNorm2d,
  Conv2d,
  Dropout,
  type DType,
  foldable,
  foldBatchNorm,
  graphAggregate,
  isGradEnabled,
  Module,
  ReLU,
  relu,
  reshape,
  Sequential,
  type Tensor,
} from '@asma/autodiff';
import type { Rng } from '@asma/util';

export type ResidualKind = 'none' | 'identity' | 'conv';

export interface StGcnBlockOptions {
  rng: Rng;
  /** Spatial kernel size K (number of adjacency partitions). */
  k: number;
  /** Temporal kernel size (odd; padding (kt - 1) / 2). */
  kt: number;
  stride: number;
  dropout: number;
  /** false: no residual (first block); true: identity when shapes agree, else 1x1 conv + BN. */
  residual: boolean;
  dtype?: DType;
}

/** ConvTemporalGraphical: its only parameter lives at `gcn.conv.*`. */
export class ConvTemporalGraphical extends Module {
  readonly conv: Conv2d;

  constructor(
    inChannels: number,
    readonly outChannels: number,
    readonly k: number,
    rng: Rng,
    dtype?: DType,
  ) {
    super();
    this.conv = this.registerModule('conv', new Conv2d(inChannels, outChannels * k, 1, { rng, dtype }));
  }

  /** x (N, Cin, T, V), a (K, V, W) -> (N, Cout, T, W). */
  forward(x: Tensor, a: Tensor): Tensor {
    const y = this.conv.forward(x);
    const [n, , t, v] = y.shape as [number, number, number, number];
    return graphAggregate(reshape(y, [n, this.k, this.outChannels, t, v]), a);
  }
}

export class StGcnBlock extends Module {
  readonly gcn: ConvTemporalGraphical;
  readonly tcn: Sequential;
  private readonly tcnNorm: BatchNorm2d;
  private readonly tcnConv: Conv2d;
  private readonly tcnOutNorm: BatchNorm2d;
  private readonly tcnDropout: Dropout;
  readonly residualKind: ResidualKind;
  private readonly residualPath: ConvNorm | null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    opts: StGcnBlockOptions,
  ) {
    super();
    if (opts.kt % 2 !== 1)
      throw new RangeError(`StGcnBlock: the temporal kernel must be odd, got ${opts.kt}`);
    const { rng, dtype } = opts;
    this.gcn = this.registerModule(
      'gcn',
      new ConvTemporalGraphical(inChannels, outChannels, opts.k, rng, dtype),
    );
    this.tcnNorm = new BatchNorm2d(outChannels, { dtype });
    this.tcnConv = new Conv2d(outChannels, outChannels, [opts.kt, 1], {
      rng,
      stride: [opts.stride, 1],
      padding: [(opts.kt - 1) / 2, 0],
      dtype,
    });
    this.tcnOutNorm = new BatchNorm2d(outChannels, { dtype });
    this.tcnDropout = new Dropout(opts.dropout, rng.fork());
    // The Sequential keeps PyTorch's state-dict names (tcn.0, tcn.2, tcn.3); forward runs the layers
    // itself so that BN -> ReLU is one fused op.
    this.tcn = this.registerModule(
      'tcn',
      new Sequential(this.tcnNorm, new ReLU(), this.tcnConv, this.tcnOutNorm, this.tcnDropout),
    );
    if (!opts.residual) this.residualKind = 'none';
    else if (inChannels === outChannels && opts.stride === 1) this.residualKind = 'identity';
    else this.residualKind = 'conv';
    this.residualPath =
      this.residualKind === 'conv'
        ? this.registerModule(
            'residual',
            new ConvNorm(
              new Conv2d(inChannels, outChannels, 1, { rng, stride: [opts.stride, 1], dtype }),
              new BatchNorm2d(outChannels, { dtype }),
            ),
          )
        : null;
  }

  /** The block's layers for the layer plan (model/layer-plan.ts); dropout is identity in eval. */
  parts(): {
    norm: BatchNorm2d;
    temporalConv: Conv2d;
    temporalNorm: BatchNorm2d;
    residual: { conv: Conv2d; bn: BatchNorm2d } | null;
  } {
    const r = this.residualPath;
    return {
      norm: this.tcnNorm,
      temporalConv: this.tcnConv,
      temporalNorm: this.tcnOutNorm,
      residual: r === null ? null : { conv: r.conv, bn: r.norm },
    };
  }

  /**
   * x (N, Cin, T, V) with the (already sliced, importance-weighted) adjacency a (K, V, V). For inference
   * (eval mode, no grad) the BatchNorms after the temporal and residual convolutions are folded into them.
   */
  forward(x: Tensor, a: Tensor): Tensor {
    const h = this.tcnNorm.forward(this.gcn.forward(x, a), { relu: true });
    const y = this.tcnDropout.forward(convNorm(this.tcnConv, this.tcnOutNorm, h));
    if (this.residualKind === 'none') return relu(y);
    return addRelu(y, this.residualKind === 'identity' ? x : this.residualPath!.forward(x));
  }
}

/**
 * bn(conv(x)); for inference (eval-mode bn, no graph to record) as one convolution with bn folded into
 * the weights.
 */
function convNorm(conv: Conv2d, bn: BatchNorm2d, x: Tensor): Tensor {
  if (isGradEnabled() || !foldable(bn)) return bn.forward(conv.forward(x));
  const { weight, bias } = foldBatchNorm(conv, bn);
  return conv.forwardWith(x, weight, bias);
}

/** The residual path: Conv2d then BatchNorm2d (state-dict names 0 and 1), folded for inference. */
class ConvNorm extends Sequential {
  constructor(
    readonly conv: Conv2d,
    readonly norm: BatchNorm2d,
  ) {
    super(conv, norm);
  }

  override forward(x: Tensor): Tensor {
    return convNorm(this.conv, this.norm, x);
  }
}
