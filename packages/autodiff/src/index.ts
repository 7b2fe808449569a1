// Core: tensors, the tape, grad mode.

export { isGradEnabled, noGrad, withGrad } from './grad/mode.js';
export { type BackwardFn, type GradNode, record } from './grad/tape.js';
export * from './io/index.js';
export { fromNdarray, toNdarray } from './ndarray.js';
// Modules, optimisers, schedules, safetensors I/O.
export * from './nn/index.js';
export * from './ops/activation.js';
export * from './ops/conv.js';
export * from './ops/elementwise.js';
// Ops.
export { ArgumentError, ShapeError } from './ops/errors.js';
export * from './ops/linalg.js';
export * from './ops/loss.js';
export * from './ops/norm.js';
export * from './ops/reduce.js';
export * from './ops/shape.js';
// Building blocks for user-written ops (broadcasting and its adjoint).
export { broadcastShapes, expandData, reduceToShape } from './ops/strided.js';
export * from './optim/index.js';
export * from './schedule/index.js';
export {
  allocate,
  type DType,
  dtypeOf,
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
// Public test helpers for people writing their own ops.
export * from './testing/gradcheck.js';
