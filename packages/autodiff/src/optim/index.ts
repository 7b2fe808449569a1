export { Adam, type AdamOptions, AdamW } from './adam.js';
export { clipGradNorm } from './clip.js';
export {
  Optimizer,
  OptimizerError,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamState,
  type ResolvedGroup,
} from './optimizer.js';
export { SGD, type SgdOptions } from './sgd.js';
