// Distillation, pruning, int8 quantisation and model export for edge deployment.

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
  saveClassifier,
  type TeacherFn,
  teacherLogits,
} from './distill.js';
export { type MagnitudePruneResult, magnitudePrune, prunableWeights } from './magnitude.js';
export { applyMasks, type PruneMasks, sparsity } from './masks.js';
export { type PruneMethod, type PruneOptions, type PruneResult, prune } from './prune.js';
export { createStudent, type StudentOptions, type StudentPlanOptions, studentPlan } from './student.js';
