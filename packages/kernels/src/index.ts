export { cpuBackend } from './cpu/backend.js';
export { dropoutHash } from './cpu/elementwise/hash.js';
export {
  addReluInto,
  batchNormBackwardInto,
  batchNormForwardInto,
  dropoutInto,
  mulInto,
  reluMaskInto,
} from './cpu/elementwise/ops.js';
export { setElementwiseWasm } from './cpu/elementwise/wasm.js';
export { erf } from './cpu/erf.js';
export { gemm, setGemmPath, WASM_MIN_MACS, wasmFma, wasmSimdAvailable } from './cpu/gemm.js';
export {
  graphAggBackwardAdjacencyCpu,
  graphAggBackwardInputCpu,
  graphAggForwardCpu,
} from './cpu/graphAgg.js';
export {
  type ConvBuffers,
  type ConvShape,
  convInputBytes,
  convSimd,
  convTileFor,
  convWeightBytes,
  packF32Weights,
  packInt8Weights,
  paddedPlaneBytes,
  quantizeInt8Input,
  zeroF32Padding,
} from './cpu/inferenceConv.js';
export { matmulCpu } from './cpu/matmul.js';
export { addPartials, partRange, REDUCTION_PARTS, reductionParts } from './cpu/partition.js';
export * from './cpu/reference.js';
export { type GemmKind, type RuntimeReport, runtimeReport } from './cpu/runtimeReport.js';
export { stridedGather, stridedScatter } from './cpu/strided.js';
export {
  setDirectConv,
  tconvBackwardInputCpu,
  tconvBackwardWeightCpu,
  tconvForwardCpu,
} from './cpu/tconv.js';
export { setWinograd, WINOGRAD_MIN_CHANNELS, winogradApplies } from './cpu/tconvWinograd.js';
export { cpuTensorOps } from './cpu/tensorOps.js';
export {
  kernelThreadsOf,
  THREADS_MIN_ELEMENTS,
  THREADS_MIN_MACS,
  type ThreadedBackendOptions,
  threadedCpuBackend,
} from './cpu/threads/backend.js';
export { isShared, KernelThreads, type KernelThreadsOptions, sharedFloat32 } from './cpu/threads/pool.js';
export { aggregateEntries, aggregateTableBytes, writeAggregateTable } from './cpu/wasm/aggregate.js';
export {
  CONV_TILES,
  type ConvEpilogue,
  type ConvKind,
  type ConvTile,
  convEdgeBytes,
  type InferenceWasm,
  instantiateInferenceWasm,
} from './cpu/wasm/inference.js';
export { getBackend, setBackend } from './registry.js';
export {
  checkRuntimeOptions,
  DEFAULT_RUNTIME_OPTIONS,
  type GemmPath,
  onRuntimeOptionsChange,
  type RuntimeOptions,
  runtimeOptions,
  setRuntimeOptions,
} from './runtime/options.js';
export { Box, type BoxedBackend, boxedBackend } from './testing/boxed.js';
export type {
  AdamArgs,
  BatchNormBackwardArgs,
  BatchNormForwardArgs,
  BinaryOp,
  ChannelRuns,
  DeviceArray,
  FloatArray,
  GraphAggArgs,
  KernelBackend,
  MatmulArgs,
  SgdArgs,
  SoftmaxArgs,
  Storage,
  TconvArgs,
  UnaryOp,
} from './types.js';
export { isDeviceArray, tconvOutLength } from './types.js';
