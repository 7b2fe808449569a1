/**
 * ASMa's feature alignment module (architecture [open] in the paper; this is the documented default):
 * each encoder's D-vector is split into `tokens` tokens of D/tokens values, each view attends to the other
 * (h_A = MHA(q = A, kv = B), h_B = MHA(q = B, kv = A), two separate attention blocks), the residual sums are
 * flattened and concatenated to 2D values, optionally layer-normalised, and classified by Linear(2D, classes).
 * Inputs are first standardised per feature with frozen training statistics (buffers mean_a, inv_std_a, ...).
 */
import {
  add,
  concat,
  type DType,
  LayerNorm,
  Linear,
  Module,
  MultiheadAttention,
  mul,
  ones,
  reshape,
  sub,
  type Tensor,
  zeros,
} from '@asma/autodiff';
import { Rng } from '@asma/util';
import { checkClasses, checkFeatures, checkLabels, FeatureInputError, gatherRows } from '../eval/features.js';
import { type ClassifierEpoch, fitClassifier, type OptimizerKind } from '../eval/fit.js';
import { onHost } from '../eval/host.js';
import { fitStandardizer, type Standardizer } from '../eval/linear-probe.js';
import { accuracy, argmaxRows, logitsInBatches } from '../eval/metrics.js';

export const DEFAULT_ALIGNMENT_TOKENS = 8;
export const DEFAULT_ALIGNMENT_HEADS = 4;

export interface AlignmentOptions {
  rng: Rng;
  /** Feature size D of each encoder (both encoders must agree). */
  dim: number;
  classes: number;
  /** Tokens per D-vector (default 8); must divide D. */
  tokens?: number;
  /** Attention heads (default 4); must divide the token size D / tokens. */
  heads?: number;
  /** LayerNorm over the fused 2D features before the classifier (default true). */
  layerNorm?: boolean;
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  dtype?: DType;
}

/** Parameters: attn_a.* (queries from A), attn_b.* (queries from B), norm.* (when enabled), classifier.*. */
export class AlignmentModule extends Module {
  readonly dim: number;
  readonly classes: number;
  readonly tokens: number;
  readonly tokenDim: number;
  readonly heads: number;
  readonly attnA: MultiheadAttention;
  readonly attnB: MultiheadAttention;
  readonly norm: LayerNorm | null;
  readonly classifier: Linear;

  constructor(opts: AlignmentOptions) {
    super();
    const where = 'AlignmentModule';
    const { dim, classes } = opts;
    const tokens = opts.tokens ?? DEFAULT_ALIGNMENT_TOKENS;
    const heads = opts.heads ?? DEFAULT_ALIGNMENT_HEADS;
    if (!(Number.isInteger(dim) && dim >= 1))
      throw new FeatureInputError(`${where}: dim must be a positive integer, got ${dim}`);
    checkClasses(where, classes);
    if (!(Number.isInteger(tokens) && tokens >= 1 && dim % tokens === 0))
      throw new FeatureInputError(
        `${where}: tokens must be a positive integer dividing dim = ${dim} (each token holds dim / tokens values), got ${tokens}`,
      );
    const tokenDim = dim / tokens;
    if (!(Number.isInteger(heads) && heads >= 1 && tokenDim % heads === 0))
      throw new FeatureInputError(
        `${where}: heads must be a positive integer dividing the token size dim / tokens = ${dim} / ${tokens} = ${tokenDim}, got ${heads}`,
      );
    this.dim = dim;
    this.classes = classes;
    this.tokens = tokens;
    this.tokenDim = tokenDim;
    this.heads = heads;
    const mha = () =>
      new MultiheadAttention(tokenDim, heads, {
        rng: opts.rng,
        dropout: opts.dropout ?? 0,
        batchFirst: true,
        dtype: opts.dtype,
      });
    // Frozen per-feature standardisation of each encoder's features (identity until set): part of the
    // module, so the teacher is alignment(A(x), B(x)) wherever the module is loaded.
    const dtype = opts.dtype;
    this.registerBuffer('mean_a', zeros([dim], { dtype }));
    this.registerBuffer('inv_std_a', ones([dim], { dtype }));
    this.registerBuffer('mean_b', zeros([dim], { dtype }));
    this.registerBuffer('inv_std_b', ones([dim], { dtype }));
    this.attnA = this.registerModule('attn_a', mha());
    this.attnB = this.registerModule('attn_b', mha());
    this.norm =
      (opts.layerNorm ?? true)
        ? this.registerModule('norm', new LayerNorm(2 * dim, { dtype: opts.dtype }))
        : null;
    this.classifier = this.registerModule(
      'classifier',
      new Linear(2 * dim, classes, { rng: opts.rng, dtype: opts.dtype }),
    );
  }

  private checkPair(zA: Tensor, zB: Tensor): number {
    for (const [name, z] of [
      ['zA', zA],
      ['zB', zB],
    ] as const)
      if (z.ndim !== 2 || z.shape[1] !== this.dim)
        throw new FeatureInputError(
          `AlignmentModule: ${name} must be (N, ${this.dim}), got shape [${z.shape.join(',')}]`,
        );
    if (zA.shape[0] !== zB.shape[0])
      throw new FeatureInputError(
        `AlignmentModule: zA has ${zA.shape[0]} rows but zB has ${zB.shape[0]}; they must be the same clips`,
      );
    return zA.shape[0]!;
  }

  /** Set the input standardisation from training statistics: z -> (z - mean) / std, per feature. */
  setInputStandardization(a: Standardizer, b: Standardizer): void {
    for (const [suffix, s] of [
      ['a', a],
      ['b', b],
    ] as const) {
      if (s.mean.length !== this.dim || s.std.length !== this.dim)
        throw new FeatureInputError(`AlignmentModule: standardizer ${suffix} must have ${this.dim} features`);
      (this.buffer(`mean_${suffix}`) as Tensor).assign(s.mean);
      (this.buffer(`inv_std_${suffix}`) as Tensor).assign(Float32Array.from(s.std, (v) => 1 / v));
    }
  }

  /** Fused (N, 2D) features: concat(flatten(tokens(zA) + h_A), flatten(tokens(zB) + h_B)), normalised. */
  fuse(zA: Tensor, zB: Tensor): Tensor {
    const n = this.checkPair(zA, zB);
    zA = mul(sub(zA, this.buffer('mean_a') as Tensor), this.buffer('inv_std_a') as Tensor);
    zB = mul(sub(zB, this.buffer('mean_b') as Tensor), this.buffer('inv_std_b') as Tensor);
    const ta = reshape(zA, [n, this.tokens, this.tokenDim]);
    const tb = reshape(zB, [n, this.tokens, this.tokenDim]);
    const ha = this.attnA.forward(ta, tb, tb, { needWeights: false }).output;
    const hb = this.attnB.forward(tb, ta, ta, { needWeights: false }).output;
    const z = concat([reshape(add(ta, ha), [n, this.dim]), reshape(add(tb, hb), [n, this.dim])], 1);
    return this.norm === null ? z : this.norm.forward(z);
  }

  /** Logits (N, classes). */
  forward(zA: Tensor, zB: Tensor): Tensor {
    return this.classifier.forward(this.fuse(zA, zB));
  }
}

export interface TrainAlignmentOptions {
  /** (N, D) row-major features of encoder A and of encoder B for the same clips. */
  featuresA: Float32Array;
  featuresB: Float32Array;
  labels: ArrayLike<number>;
  valA?: Float32Array;
  valB?: Float32Array;
  valLabels?: ArrayLike<number>;
  classes: number;
  /** Default 50. */
  epochs?: number;
  /** Default 128. */
  batchSize?: number;
  /** Peak learning rate of the cosine schedule (default 1e-3). */
  lr?: number;
  /** Seeds the initialisation and the shuffles (default 0). */
  seed?: number;
  /** Default 1e-2 (torch's AdamW default). */
  weightDecay?: number;
  /** Default 'adamw'. */
  optimizer?: OptimizerKind;
  tokens?: number;
  heads?: number;
  layerNorm?: boolean;
  dropout?: number;
  /** Standardise each encoder's features with the training statistics, inside the module (default true). */
  standardize?: boolean;
  onEpoch?: (record: ClassifierEpoch) => void;
  progress?: boolean;
  logPath?: string | null;
}

export interface TrainAlignmentResult {
  module: AlignmentModule;
  history: ClassifierEpoch[];
}

/** Predicted classes of the alignment module on (N, D) feature pairs, in eval mode and batches. */
export async function predictAlignment(
  module: AlignmentModule,
  featuresA: Float32Array,
  featuresB: Float32Array,
  batchSize = 256,
): Promise<Int32Array> {
  const d = module.dim;
  if (featuresA.length % d !== 0 || featuresA.length !== featuresB.length)
    throw new FeatureInputError(
      `predictAlignment: featuresA (${featuresA.length} values) and featuresB (${featuresB.length}) must both be N*${d}`,
    );
  const dtype = module.classifier.weight.dtype;
  const logits = logitsInBatches(module, featuresA.length / d, batchSize, (rows) =>
    module.forward(gatherRows(featuresA, d, rows, dtype), gatherRows(featuresB, d, rows, dtype)),
  );
  return argmaxRows(await onHost(logits));
}

/** Trains an AlignmentModule on frozen features of both encoders with cross-entropy (the linear-probed teacher). */
export async function trainAlignment(opts: TrainAlignmentOptions): Promise<TrainAlignmentResult> {
  const where = 'trainAlignment';
  checkClasses(where, opts.classes);
  const labels = checkLabels(where, 'labels', opts.labels, opts.classes);
  const dim = checkFeatures(where, 'featuresA', opts.featuresA, labels.length);
  checkFeatures(where, 'featuresB', opts.featuresB, labels.length, dim);
  const given = [opts.valA, opts.valB, opts.valLabels].filter((v) => v !== undefined).length;
  if (given !== 0 && given !== 3)
    throw new FeatureInputError(`${where}: give all of valA, valB and valLabels, or none of them`);
  const batchSize = opts.batchSize ?? 128;
  const root = new Rng(opts.seed ?? 0);
  const module = new AlignmentModule({
    rng: root.fork(),
    dim,
    classes: opts.classes,
    tokens: opts.tokens,
    heads: opts.heads,
    layerNorm: opts.layerNorm,
    dropout: opts.dropout,
  });
  if (opts.standardize ?? true)
    module.setInputStandardization(
      fitStandardizer(opts.featuresA, dim),
      fitStandardizer(opts.featuresB, dim),
    );
  let validate: (() => Promise<number>) | undefined;
  if (given === 3) {
    const valLabels = checkLabels(where, 'valLabels', opts.valLabels!, opts.classes);
    checkFeatures(where, 'valA', opts.valA!, valLabels.length, dim);
    checkFeatures(where, 'valB', opts.valB!, valLabels.length, dim);
    validate = async () =>
      accuracy(await predictAlignment(module, opts.valA!, opts.valB!, batchSize), valLabels);
  }
  const history = await fitClassifier({
    where,
    module,
    forwardRows: (rows) =>
      module.forward(gatherRows(opts.featuresA, dim, rows), gatherRows(opts.featuresB, dim, rows)),
    labels,
    epochs: opts.epochs ?? 50,
    batchSize,
    lr: opts.lr ?? 1e-3,
    weightDecay: opts.weightDecay ?? 1e-2,
    optimizer: opts.optimizer ?? 'adamw',
    rng: root.fork(),
    validate,
    onEpoch: opts.onEpoch,
    progress: opts.progress,
    logPath: opts.logPath,
  });
  return { module, history };
}
