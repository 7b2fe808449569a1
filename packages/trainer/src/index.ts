// ST-GCN encoder (PSTL configuration), Barlow Twins head and loss, pretraining and evaluation protocols.
// This entry runs anywhere (Node and browsers); what reads or writes files is in '@asma/trainer/node'.

export {
  AlignmentModule,
  type AlignmentOptions,
  DEFAULT_ALIGNMENT_HEADS,
  DEFAULT_ALIGNMENT_TOKENS,
  predictAlignment,
  type TrainAlignmentOptions,
  type TrainAlignmentResult,
  trainAlignment,
} from './align/alignment.js';
export {
  type ClipDataset,
  checkFiniteClips,
  classCount,
  clipCount,
  DatasetError,
  epochBatches,
  gatherClips,
  MAX_CLASSES,
  requireLabels,
  subset,
} from './data/dataset.js';
export { type EmbeddingDiagnostics, embeddingDiagnostics, symmetricEigenvalues } from './eval/diagnostics.js';
export { FeatureInputError } from './eval/features.js';
export {
  type ClassifierEpoch,
  type FitClassifierOptions,
  fitClassifier,
  type OptimizerKind,
} from './eval/fit.js';
export { onHost } from './eval/host.js';
export { type KnnOptions, type KnnResult, knnEvaluate } from './eval/knn.js';
export {
  applyStandardizer,
  fitStandardizer,
  type LinearProbeOptions,
  type LinearProbeResult,
  type Standardizer,
  trainLinearProbe,
} from './eval/linear-probe.js';
export {
  accuracy,
  argmaxRows,
  type Classifier,
  confusionMatrix,
  logitsInBatches,
  predict,
  predictLogits,
  topK,
} from './eval/metrics.js';
export { classBalancedSubset } from './eval/subset.js';
// PyTorch interop through safetensors.
export {
  CheckpointError,
  defaultOptionalKey,
  type LoadCheckpointOptions,
  type LoadCheckpointResult,
  loadStateDictInto,
} from './interop/checkpoint.js';
export {
  architectureOf,
  inferArchitecture,
  STGCN_METADATA_KEY,
  type StGcnArchitecture,
} from './interop/stgcn-config.js';
export {
  BARLOW_TWINS_LAMBDA,
  type BarlowTwinsOptions,
  type BarlowTwinsTerms,
  barlowTwinsLoss,
  barlowTwinsTerms,
  batchStandardize,
} from './losses/barlow-twins.js';
export { BarlowTwinsHead, type BarlowTwinsHeadOptions } from './model/barlow-twins-head.js';
export {
  ConvTemporalGraphical,
  type ResidualKind,
  StGcnBlock,
  type StGcnBlockOptions,
} from './model/block.js';
export { ModuleList, ParameterList } from './model/containers.js';
export {
  type BlockLayer,
  blockOutFrames,
  type DataNormLayer,
  type Keyed,
  type LayerPlan,
  type LinearLayer,
  layerPlan,
  type PlanLayer,
  type PlannableClassifier,
  type PoolLayer,
  planBlocks,
  unknownLayer,
} from './model/layer-plan.js';
export {
  pstlPlan,
  STGCN16_PARAMETERS,
  StGcn,
  type StGcnBlockSpec,
  type StGcnForwardOptions,
  type StGcnOptions,
} from './model/stgcn.js';
export {
  balancedLambda,
  COLLAPSED_REDUNDANCY,
  collapseWarning,
  PAPER_LAMBDA_WIDTH,
} from './pretrain/collapse.js';
export {
  createMethod,
  METHOD_NAMES,
  type MethodLoss,
  type MethodName,
  type MethodOptions,
  type NamedEncoder,
  type PretrainMethod,
} from './pretrain/methods.js';
export { type PretrainOptions, type PretrainResult, pretrain } from './pretrain/pretrain.js';
export { batchTensor } from './pretrain/tensor.js';
export { concatFeatures, encodeClips, forEachBatch } from './protocols/encode.js';
export {
  ActionClassifier,
  type EncoderClassifier,
  evaluateClassifier,
  type FinetuneOptions,
  type FinetuneResult,
  finetune,
  PairClassifier,
  type SemiSupervisedOptions,
  semiSupervised,
} from './protocols/finetune.js';
export {
  encodeWith,
  joinFeatures,
  type LinearEvaluationOptions,
  type LinearEvaluationResult,
  linearEvaluation,
} from './protocols/linear.js';
export {
  type Bar,
  type BarChartOptions,
  barChartSvg,
  type LineChartOptions,
  type LineSeries,
  lineChartSvg,
  MAX_PLOTTABLE,
} from './report/svg-chart.js';
export { NonFiniteError, ResumeError } from './train/errors.js';
export {
  checkGradients,
  checkWeights,
  type EpochRecord,
  type FitOptions,
  type FitResult,
  fit,
  type StepResult,
} from './train/fit.js';
export { moveToHost } from './train/host-module.js';
