/**
 * PSTL's Barlow Twins head: projector Linear(D, W, no bias)-BN-ReLU-Linear(W, W, no bias)-BN-ReLU-
 * Linear(W, W, no bias), then a non-affine BatchNorm standardises each projection and the Barlow
 * Twins loss compares the two views. W = 6144 in the paper; small widths serve tests and demos.
 * Names match PyTorch (projector.0.weight, projector.1.*, ..., bn.running_mean).
 */
import { BatchNorm1d, type DType, Linear, Module, ReLU, Sequential, type Tensor } from '@asma/autodiff';
import type { Rng } from '@asma/util';
import { BARLOW_TWINS_LAMBDA, type BarlowTwinsTerms, barlowTwinsTerms } from '../losses/barlow-twins.js';

export interface BarlowTwinsHeadOptions {
  rng: Rng;
  /** Encoder feature dimension (256). */
  inFeatures?: number;
  /** Projector width (PSTL: 6144). */
  width?: number;
  /** Off-diagonal weight (PSTL: 2e-4). */
  lambda?: number;
  dtype?: DType;
}

export class BarlowTwinsHead extends Module {
  readonly inFeatures: number;
  readonly width: number;
  readonly lambda: number;
  readonly projector: Sequential;
  readonly bn: BatchNorm1d;

  constructor(opts: BarlowTwinsHeadOptions) {
    super();
    const { rng, dtype } = opts;
    this.inFeatures = opts.inFeatures ?? 256;
    this.width = opts.width ?? 6144;
    this.lambda = opts.lambda ?? BARLOW_TWINS_LAMBDA;
    const w = this.width;
    this.projector = this.registerModule(
      'projector',
      new Sequential(
        new Linear(this.inFeatures, w, { rng, bias: false, dtype }),
        new BatchNorm1d(w, { dtype }),
        new ReLU(),
        new Linear(w, w, { rng, bias: false, dtype }),
        new BatchNorm1d(w, { dtype }),
        new ReLU(),
        new Linear(w, w, { rng, bias: false, dtype }),
      ),
    );
    this.bn = this.registerModule('bn', new BatchNorm1d(w, { affine: false, dtype }));
  }

  /** Features (N, D) -> projections (N, W). */
  project(features: Tensor): Tensor {
    return this.projector.forward(features);
  }

  /** Loss of two projections: each standardised by `bn` (its own batch statistics), then Barlow Twins. */
  lossFromProjections(z1: Tensor, z2: Tensor): Tensor {
    return this.termsFromProjections(z1, z2).loss;
  }

  /** The same loss with its on- and off-diagonal terms (for logs). */
  termsFromProjections(z1: Tensor, z2: Tensor): BarlowTwinsTerms {
    return barlowTwinsTerms(this.bn.forward(z1), this.bn.forward(z2), {
      lambda: this.lambda,
      normalize: false,
    });
  }

  /** Barlow Twins loss of two views' encoder features (N, D) each; a scalar tensor. */
  forward(f1: Tensor, f2: Tensor): Tensor {
    return this.lossFromProjections(this.project(f1), this.project(f2));
  }
}
