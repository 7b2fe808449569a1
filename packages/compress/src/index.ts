// Distillation, pruning, int8 quantisation and model export for edge deployment. This entry runs
// anywhere (Node and browsers); the model files (.asma, ONNX, checkpoints) and the compression report,
// which write and read files, are in '@asma/compress/node'.

export {
  type BenchOptions,
  type BenchResult,
  type BenchRow,
  benchInference,
  type InferenceRunner,
  planRunner,
} from './bench.js';
export {
  benchAgainstOnnx,
  type OnnxBenchOptions,
  type OnnxBenchResult,
  type OnnxBenchRow,
} from './bench-onnx.js';
export {
  type ChannelPlan,
  channelGroups,
  channelMasks,
  planChannelPruning,
  pruneChannels,
  tcnFilterNorms,
} from './channels.js';
export {
  type DistillationLossOptions,
  type DistillOptions,
  type DistillResult,
  distill,
  distillationLoss,
  HookedAdam,
  type TeacherFn,
  teacherLogits,
} from './distill.js';
export {
  type ActivationObserver,
  type Affine,
  type ConvLayer,
  type FoldedBlock,
  type FoldedClassifier,
  type ForwardMode,
  foldClassifier,
  foldedForward,
  foldPlan,
} from './folded.js';
export { compileQuantized, NonFiniteInputError } from './infer/int8-plan.js';
export {
  ClipShapeError,
  compileClassifier,
  compileFolded,
  type InferencePlan,
  type InferencePlanOptions,
} from './infer/plan.js';
export {
  floatConv,
  type Int8ConvArgs,
  int8Conv,
  type QuantizedWeights,
  quantizeInto,
  quantizeWeights,
} from './int8-kernels.js';
export { type MagnitudePruneResult, magnitudePrune, prunableWeights } from './magnitude.js';
export { applyMasks, type PruneMasks, sparsity } from './masks.js';
export { exportOnnx, ONNX_OPSET, type OnnxExportOptions } from './onnx.js';
export { checkOnnx, loadOnnxRuntime, type OnnxCheck, type OnnxRuntime, runOnnx } from './onnx-check.js';
export { decodeProto, type ProtoField, ProtoWriter } from './protobuf.js';
export { type PruneMethod, type PruneOptions, type PruneResult, prune } from './prune.js';
export {
  type CalibrationOptions,
  foldedLogits,
  foldedValues,
  quantizeClassifier,
  quantizedLayers,
} from './quantize.js';
export { type CompressionReport, compressionTable, FLOAT_PLAN_ROW, type ModelRow } from './report.js';
export { createStudent, type StudentOptions, type StudentPlanOptions, studentPlan } from './student.js';
export { type AsmaTeacher, teacherFn, teacherParameters } from './teacher.js';
