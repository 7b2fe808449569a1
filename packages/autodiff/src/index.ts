// Public API of @asma/autodiff (biome keeps these sorted by path): tensor.ts and grad/ (tensors, tape, grad mode),
// ops/ (differentiable ops; strided.js gives broadcast helpers for user-written ops), testing/ (gradCheck and
// fast-check arbitraries), nn/, optim/, schedule/, io/ (the safetensors format, optimiser state), ndarray.js.
// Safetensors files and state dicts on disk are Node's: '@asma/autodiff/node'.
export { isGradEnabled, noGrad, withGrad } from './grad/mode.js';
export { activeProfile, type OpKey, OpProfile, type OpTimes, profileOps } from './grad/profile.js';
export {
  bufferPoolStats,
  bufferRecycling,
  clearBufferPool,
  gradientRecycling,
  setBufferPoolLimit,
  setBufferRecycling,
  setGradientRecycling,
} from './grad/recycle.js';
export { scratch } from './grad/scratch.js';
export { type BackwardFn, type GradNode, record } from './grad/tape.js';
export * from './io/index.js';
export { fromNdarray, toNdarray } from './ndarray.js';
export * from './nn/index.js';
export * from './ops/activation.js';
export * from './ops/conv.js';
export * from './ops/elementwise.js';
export { ArgumentError, ShapeError } from './ops/errors.js';
export * from './ops/linalg.js';
export * from './ops/loss.js';
export * from './ops/norm.js';
export * from './ops/reduce.js';
export * from './ops/shape.js';
export { broadcastShapes, expandData, reduceToShape } from './ops/strided.js';
export * from './optim/index.js';
export * from './schedule/index.js';
export {
  allocate,
  type DType,
  deviceActive,
  dtypeOf,
  flushDevice,
  full,
  type NestedArray,
  ones,
  rand,
  randn,
  scalar,
  shapeSize,
  Tensor,
  type TensorOptions,
  tensor,
  zeros,
} from './tensor.js';
export * from './testing/arbitraries.js';
export * from './testing/gradcheck.js';
