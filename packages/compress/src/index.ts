// Distillation, pruning, int8 quantisation and model export for edge deployment.
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
export { createStudent, type StudentOptions, type StudentPlanOptions, studentPlan } from './student.js';
