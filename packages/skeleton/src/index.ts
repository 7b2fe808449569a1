export type {
  Augmentation,
  CropOptions,
  DrawOptions,
  FlipOptions,
  Mat3,
  PstlAugmentOptions,
  RotateOptions,
  ShearOptions,
} from './augment.js';
export {
  applyShear,
  axisRotation,
  compose,
  cropWindow,
  flipJoints,
  matmul3,
  pstlAugment,
  randomRotate,
  rotationXYZ,
  shear,
  shearMatrix,
  spatialFlip,
  temporalCrop,
  transformCoords,
} from './augment.js';
export type { BatchShape, ClipArray, SkeletonBatch } from './batch.js';
export { batchIndex, checkBatch, sliceBatch, zerosBatch } from './batch.js';
export type { Adjacency, AdjacencyOptions, PartitionStrategy } from './graph.js';
export { adjacency, hopDistance, normalizeDigraph, subAdjacency } from './graph.js';
export type { SkeletonLayout } from './layout.js';
export { jointDegree, NTU25 } from './layout.js';
export type { NpyArray, NpyData, NpyDtype, NpyHeader, NpyReadOptions } from './npy.js';
export {
  decodeNpy,
  encodeNpy,
  formatNpyHeader,
  int64Array,
  NpyError,
  NpyReader,
  NpyWriter,
  parseNpyHeader,
  readNpy,
  toNumbers,
  writeNpy,
} from './npy.js';
export { clipMotionEnergy, jointMotionEnergy, motionEnergy } from './stats.js';
export type { StreamView } from './streams.js';
export { bonePairs, boneStream, getStream, motionStream } from './streams.js';
export * from './synthetic/index.js';
