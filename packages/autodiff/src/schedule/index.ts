export {
  constantLr,
  cosineLr,
  type HasLr,
  type LrSchedule,
  LrScheduler,
  type StepLrOptions,
  stepLr,
  type WarmupCosineOptions,
  warmupCosineLr,
} from './lr.js';
