export {
  type AttentionOptions,
  type AttentionResult,
  MultiheadAttention,
  type MultiheadAttentionOptions,
} from './attention.js';
export { Dropout, Identity, ModuleList, ParameterList, ReLU, Sequential } from './basic.js';
export { Conv2d, type Conv2dOptions } from './conv.js';
export { type BatchNorm, batchNormAffine, foldable, foldBatchNorm } from './fold.js';
export { fanInBias, fans, kaimingUniform, uniformTensor, xavierUniform } from './init.js';
export { Linear, type LinearOptions } from './linear.js';
export {
  type BufferValue,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  Module,
  type StateDict,
  StateDictError,
  type StateDictLike,
  type TensorModule,
} from './module.js';
export {
  BatchNorm1d,
  BatchNorm2d,
  type BatchNormOptions as BatchNormModuleOptions,
  LayerNorm,
  type LayerNormOptions as LayerNormModuleOptions,
} from './norm.js';
