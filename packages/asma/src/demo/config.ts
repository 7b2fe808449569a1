import { scaledDropCounts } from '@asma/masking';
import type { CorruptionOptions } from '@asma/skeleton';
import { balancedLambda } from '@asma/trainer';
/**
 * The demo's experiment: sizes chosen so that one seed (data, three pretrainings, linear and kNN
 * evaluation of seven encoder sets, fine-tune, semi-supervised and transfer protocols, alignment,
 * the distillation study, report) fits in about 10 minutes on a 2-core machine (6.5-8.5 measured at five views). Every field is a
 * command-line option of `asma demo`.
 */
export interface DemoConfig {
  seed: number;
  /** Synthetic clips per class (16 classes; xsub keeps 6 of 10 subjects for training). */
  perClass: number;
  /** Camera views, 1..5 (yaw 0, +45, -45, +90, -90 degrees): the nuisance that pretraining's rotations must learn to ignore. */
  cameras: number;
  frames: number;
  /** Encoder widths: ST-GCN plan base, 2*base, 4*base, then `features`. */
  base: number;
  features: number;
  projectorWidth: number;
  /**
   * Barlow Twins off-diagonal weight. By default balanced for the projector width (lambda * width at
   * the paper's 2e-4 * 6144 = 1.23): at 2e-4 and width 256 the projections collapse (docs/results.md).
   */
  lambda: number;
  pretrainEpochs: number;
  batchSize: number;
  lr: number;
  warmupEpochs: number;
  linearEpochs: number;
  alignEpochs: number;
  /** Distillation epochs of the student (the compression step runs on the first seed; 0 skips it). */
  distillEpochs: number;
  /** Methods pretrained and compared. */
  methods: string[];
  /** Fine-tuning epochs of the fine-tune and transfer protocols (0 skips fine-tune, semi-supervised and transfer fine-tuning). */
  finetuneEpochs: number;
  /** Fine-tuning Adam learning rate, cosine to 0 (the paper's 5e-3). */
  finetuneLr: number;
  /** Fine-tuning batch size (more, smaller steps than pretraining: the demo's training set is small). */
  finetuneBatch: number;
  /** Label fractions of the semi-supervised protocol (class-balanced, at least one clip per class). */
  semiFractions: number[];
  /** Epochs of semi-supervised fine-tuning (its subsets are small: more epochs, as few steps). */
  semiEpochs: number;
  /** The transfer protocol's noisy variant of the benchmark; false skips transfer. */
  transferNoise: CorruptionOptions | false;
  /** Transfer by fine-tuning too, not only with frozen features (as long again as the fine-tune protocol). */
  transferFinetune: boolean;
  /** Distillation alphas compared on every seed (1: labels only; 0: the teacher's soft targets only). */
  distillAlphas: number[];
}

export const DEFAULT_DEMO: DemoConfig = {
  seed: 0,
  perClass: 20,
  /** Five views: at three (yaw up to 45 degrees) untrained encoders were level with pretrained ones (docs/results.md). */
  cameras: 5,
  frames: 30,
  base: 4,
  features: 32,
  projectorWidth: 256,
  lambda: balancedLambda(256),
  pretrainEpochs: 8,
  batchSize: 32,
  /** PSTL uses 5e-3 at batch 128; at batch 32 on these small encoders 2e-3 was steadier (ASMa A+B 64.8 vs 60.2 % on seed 0). */
  lr: 2e-3,
  warmupEpochs: 2,
  linearEpochs: 100,
  alignEpochs: 60,
  distillEpochs: 30,
  methods: ['asma', 'pstl', 'barlow-twins'],
  /** 15 epochs at batch 32 left ASMa A at 37.5 % (linear 54.7 %); 25 at batch 16: 51.6 %; 30: 55.5 % (seed 0). */
  finetuneEpochs: 25,
  finetuneLr: 5e-3,
  finetuneBatch: 16,
  semiFractions: [0.01, 0.1],
  /** One clip per class: 60 epochs are 60 steps (30: 17 % for PSTL, 80: 25 %). */
  semiEpochs: 60,
  transferNoise: {},
  transferFinetune: false,
  distillAlphas: [0, 0.5, 1],
};

/** A seconds-long configuration for tests and smoke runs. */
export const QUICK_DEMO: Partial<DemoConfig> = {
  perClass: 3,
  frames: 20,
  base: 2,
  features: 8,
  projectorWidth: 16,
  pretrainEpochs: 1,
  batchSize: 8,
  linearEpochs: 5,
  alignEpochs: 3,
  distillEpochs: 2,
  finetuneEpochs: 1,
  finetuneBatch: 8,
  semiEpochs: 2,
  transferFinetune: true,
};

/** PSTL drops 10 + 10 of 50 frames; keep the same proportions for other lengths (the rule asma pretrain, masks and the viewer use). */
export function frameDrops(frames: number): number {
  return Math.max(1, scaledDropCounts(frames).motionDrops);
}

/**
 * The paper's encoder and projector on a larger synthetic set (`asma demo --scale paper`): ST-GCN-16
 * (two encoders of 821,380 parameters each), 50 frames, projector 6144 with the paper's lambda, batch
 * 128, lr 5e-3, 10 warm-up epochs. Sized for one GPU (--backend webgpu): days on a 2-core CPU.
 */
export const PAPER_DEMO: Partial<DemoConfig> = {
  perClass: 100,
  frames: 50,
  base: 16,
  features: 256,
  projectorWidth: 6144,
  pretrainEpochs: 50,
  batchSize: 128,
  lr: 5e-3,
  warmupEpochs: 10,
  linearEpochs: 100,
  alignEpochs: 60,
  finetuneEpochs: 30,
  finetuneBatch: 64,
  semiEpochs: 60,
};
