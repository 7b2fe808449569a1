/**
 * Self-supervised pretraining methods over ST-GCN encoders, all from one code path:
 * - 'asma': two encoders, one per asymmetric view (A: high-degree joints + low-motion frames hidden;
 *   B: low-degree joints + high-motion frames hidden), each with anchor / spatial / temporal streams;
 * - 'pstl': one encoder with PSTL's masks (high-degree joints + high-motion frames);
 * - 'random': one encoder with degree- and motion-blind random masks (a control);
 * - 'barlow-twins': one encoder, two augmented views, no masking.
 * Per masked encoder (PSTL): L = BT(f(anchor), f(temporal)) + BT(f(anchor), f(spatial)); the total is
 * the sum over encoders. The anchor projection is computed once and shared by both terms.
 */
import { add, Module, mul, type Tensor } from '@asma/autodiff';
import {
  type AsmaOptions,
  asmaViews,
  type MaskingStrategy,
  pstlViews,
  randomViews,
  sharedJointMask,
  type ViewMasks,
  type ViewSampler,
} from '@asma/masking';
import { type Augmentation, type PstlAugmentOptions, pstlAugment, type SkeletonBatch } from '@asma/skeleton';
import type { Rng } from '@asma/util';
import type { BarlowTwinsTerms } from '../losses/barlow-twins.js';
import { BarlowTwinsHead } from '../model/barlow-twins-head.js';
import { StGcn, type StGcnOptions } from '../model/stgcn.js';
import { batchTensor } from './tensor.js';

export const METHOD_NAMES = ['asma', 'pstl', 'random', 'barlow-twins'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export interface MethodOptions {
  /** Encoder architecture (default ST-GCN-16: 821,380 parameters). */
  encoder?: Omit<StGcnOptions, 'rng'>;
  /** Barlow Twins projector width (paper: 6144). */
  projectorWidth?: number;
  /** Barlow Twins off-diagonal weight (2e-4). */
  lambda?: number;
  /** Counts and rules of the masks (@asma/masking presets: draws 8, motionDrops 10, randomDrops 10, ...). */
  masking?: AsmaOptions;
  /**
   * 'remove' (default, PSTL): masked joints are dropped inside the encoder (sliced adjacency) and
   * masked frames gathered out; 'zero': same shapes, hidden entries set to 0.
   */
  maskOutput?: 'remove' | 'zero';
  /** One joint mask per batch (default, PSTL) or one per clip (needs maskOutput 'zero'). */
  spatialPer?: 'batch' | 'sample';
  /** PSTL's augmentation options, or false for none. */
  augment?: PstlAugmentOptions | false;
}

/** The loss of one batch and its named terms (plain numbers, for logs). */
export interface MethodLoss {
  loss: Tensor;
  /** Loss terms for the log: scalar tensors, read back only by whoever logs them (no readback per step on a device). */
  parts: Record<string, number | Tensor>;
}

/** One encoder of a method, with the name it has in the method's state dict. */
export interface NamedEncoder {
  name: string;
  encoder: StGcn;
}

/**
 * A pretraining method: what `pretrain` trains. The built-in ones come from createMethod; a custom
 * one is any object of this shape (e.g. body-part masks with a Barlow Twins head, see the README).
 */
export interface PretrainMethod {
  /** A MethodName for the built-in methods; any name for a custom one (logs, encoder metadata). */
  readonly name: string;
  /** Every trainable part (encoders and heads), one state dict for checkpoints. */
  readonly module: Module;
  readonly encoders: readonly NamedEncoder[];
  /** Loss of one batch of raw clips; every random draw comes from `rng`. */
  loss(batch: SkeletonBatch, rng: Rng): MethodLoss;
  /**
   * The host's part of `loss`, split out (the built-in methods have it): augmentation and masks, every
   * random draw. `lossOf(prepare(b, r))` is `loss(b, r)`; `asma bench` times the two halves apart.
   */
  prepare?(batch: SkeletonBatch, rng: Rng): unknown;
  /** The rest of `loss` (encoders, heads, loss: the device's part) on what `prepare` returned. */
  lossOf?(inputs: unknown): MethodLoss;
}

/** A method from its two halves: `loss` is their composition. */
function split<I>(
  m: Omit<PretrainMethod, 'loss' | 'prepare' | 'lossOf'>,
  prepare: (batch: SkeletonBatch, rng: Rng) => I,
  lossOf: (inputs: I) => MethodLoss,
): PretrainMethod {
  return {
    ...m,
    loss: (batch, rng) => lossOf(prepare(batch, rng)),
    prepare,
    lossOf: (inputs) => lossOf(inputs as I),
  };
}

/** Encoders and heads registered under torch-style names: encoder, head (one view) or encoder_a, head_a, ... */
class PretrainModel extends Module {
  readonly encoders: NamedEncoder[] = [];
  readonly heads: BarlowTwinsHead[] = [];

  constructor(suffixes: readonly string[], rng: Rng, o: MethodOptions) {
    super();
    for (const s of suffixes) {
      // `frames` sizes the masks only: the temporal stream is shorter, so the encoder must accept any T.
      const encoder = this.registerModule(`encoder${s}`, new StGcn({ ...o.encoder, frames: undefined, rng }));
      const head = this.registerModule(
        `head${s}`,
        new BarlowTwinsHead({
          rng,
          inFeatures: encoder.outChannels,
          width: o.projectorWidth,
          lambda: o.lambda,
        }),
      );
      this.encoders.push({ name: `encoder${s}`, encoder });
      this.heads.push(head);
    }
  }
}

function augmentation(o: MethodOptions): Augmentation {
  return o.augment === false ? (x) => x : pstlAugment(o.augment ?? {});
}

/** A method that masks: one encoder + head per view of `strategy`. */
function maskedMethod(
  name: MethodName,
  strategy: MaskingStrategy,
  rng: Rng,
  o: MethodOptions,
): PretrainMethod {
  const views = strategy.views;
  const suffixes = views.length === 1 ? [''] : views.map((_, i) => `_${String.fromCharCode(97 + i)}`);
  const model = new PretrainModel(suffixes, rng, o);
  const augment = augmentation(o);
  const output = o.maskOutput ?? 'remove';
  const spatialPer = o.spatialPer ?? 'batch';
  if (output === 'remove' && spatialPer === 'sample')
    throw new RangeError(
      "pretrain: spatialPer 'sample' needs maskOutput 'zero' (removal shares one joint set per batch)",
    );
  // The host's half: three independent augmentations of the batch, shared by every encoder of the
  // method, and one draw of every view's masks (motion energy is that of the temporal stream's input).
  const prepare = (batch: SkeletonBatch, r: Rng): ViewInputs[] => {
    const anchor = augment(batch, r);
    const forSpatial = augment(batch, r);
    const forTemporal = augment(batch, r);
    const masks = strategy.sample(forTemporal, r, { spatialPer });
    return views.map((view, i) => ({
      anchor,
      ...maskedInputs(view, masks[i]!, forSpatial, forTemporal, output),
    }));
  };
  const lossOf = (inputs: ViewInputs[]): MethodLoss => {
    let total: Tensor | null = null;
    const parts: Record<string, Tensor> = {};
    const terms: BarlowTwinsTerms[] = [];
    inputs.forEach((x, i) => {
      const enc = model.encoders[i]!.encoder;
      const head = model.heads[i]!;
      const za = head.project(enc.forward(batchTensor(x.anchor)));
      const spatial = enc.forward(batchTensor(x.spatial), x.keptJoints ? { keptJoints: x.keptJoints } : {});
      const temporal = enc.forward(batchTensor(x.temporal));
      const lt = head.termsFromProjections(za, head.project(temporal));
      const ls = head.termsFromProjections(za, head.project(spatial));
      const key = suffixes[i] === '' ? '' : `${suffixes[i]!.slice(1)}/`;
      parts[`${key}temporal`] = lt.loss.detach();
      parts[`${key}spatial`] = ls.loss.detach();
      terms.push(lt, ls);
      const l = add(lt.loss, ls.loss);
      total = total === null ? l : add(total, l);
    });
    return { loss: total!, parts: { ...parts, ...diagonalParts(terms) } };
  };
  return split({ name, module: model, encoders: model.encoders }, prepare, lossOf);
}

/** One view's encoder inputs: the anchor, and the spatially and temporally masked streams. */
interface ViewInputs {
  anchor: SkeletonBatch;
  spatial: SkeletonBatch;
  temporal: SkeletonBatch;
  /** Removal: the joints the encoder keeps of `spatial` (dropped after data_bn, sliced adjacency). */
  keptJoints?: readonly number[];
}

/** The spatially and the temporally masked stream of one view (host arrays). */
function maskedInputs(
  view: ViewSampler,
  masks: ViewMasks,
  forSpatial: SkeletonBatch,
  forTemporal: SkeletonBatch,
  output: 'remove' | 'zero',
): Omit<ViewInputs, 'anchor'> {
  if (output === 'zero')
    return {
      spatial: view.apply(forSpatial, masks, 'zero').spatial,
      temporal: view.apply(forTemporal, masks, 'zero').temporal,
    };
  // Removal: joints are dropped inside the encoder (after data_bn, with the sliced adjacency).
  return {
    spatial: forSpatial,
    keptJoints: sharedJointMask(masks).kept,
    temporal: view.apply(forTemporal, masks, 'remove').temporal,
  };
}

/**
 * The Barlow Twins terms of a method summed over its losses, for the log: 'on-diagonal' (invariance),
 * 'off-diagonal' (unweighted redundancy) and 'redundancy', the mean squared cross-correlation of
 * distinct projection features: near 0 when they are decorrelated, 1 when every feature is a copy of
 * one (collapse). Collapse is cheap when lambda * D(D - 1) is small next to the D on-diagonal terms.
 */
function diagonalParts(terms: readonly BarlowTwinsTerms[]): Record<string, Tensor> {
  let on = terms[0]!.onDiagonal.detach();
  let off = terms[0]!.offDiagonal.detach();
  let pairs = terms[0]!.width * (terms[0]!.width - 1);
  for (const t of terms.slice(1)) {
    on = add(on, t.onDiagonal.detach());
    off = add(off, t.offDiagonal.detach());
    pairs += t.width * (t.width - 1);
  }
  return { 'on-diagonal': on, 'off-diagonal': off, redundancy: mul(off, 1 / pairs) };
}

/** Plain Barlow Twins: two augmented views, no masking. */
function barlowTwinsMethod(rng: Rng, o: MethodOptions): PretrainMethod {
  const model = new PretrainModel([''], rng, o);
  const augment = augmentation(o);
  const { encoder } = model.encoders[0]!;
  const head = model.heads[0]!;
  return split(
    { name: 'barlow-twins', module: model, encoders: model.encoders },
    (batch, r) => [augment(batch, r), augment(batch, r)] as const,
    ([x1, x2]) => {
      const t = head.termsFromProjections(
        head.project(encoder.forward(batchTensor(x1))),
        head.project(encoder.forward(batchTensor(x2))),
      );
      return { loss: t.loss, parts: { views: t.loss.detach(), ...diagonalParts([t]) } };
    },
  );
}

/** Build a method by name; `rng` seeds the weights and the encoders' dropout streams. */
export function createMethod(name: string, rng: Rng, o: MethodOptions = {}): PretrainMethod {
  const frames = o.encoder?.frames;
  const masking = { frames, ...o.masking };
  switch (name) {
    case 'asma':
      return maskedMethod('asma', asmaViews(masking), rng, o);
    case 'pstl':
      return maskedMethod('pstl', pstlViews(masking), rng, o);
    case 'random':
      return maskedMethod(
        'random',
        randomViews({
          layout: masking.layout,
          frames,
          joints: masking.draws,
          frameDrops:
            masking.motionDrops === undefined && masking.randomDrops === undefined
              ? undefined
              : (masking.motionDrops ?? 10) + (masking.randomDrops ?? 10),
        }),
        rng,
        o,
      );
    case 'barlow-twins':
      return barlowTwinsMethod(rng, o);
    default:
      throw new RangeError(`unknown pretraining method '${name}' (expected ${METHOD_NAMES.join(', ')})`);
  }
}
