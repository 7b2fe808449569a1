// Skeleton layouts and graphs, parsers of dataset text, preprocessing, augmentation and synthetic data.
// This entry runs anywhere (Node and browsers); what reads or writes files (.npy files, .skeleton
// files, dataset conversion, synthetic split folders) is in '@asma/skeleton/node'.
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
export { type CorruptionOptions, corruptClips, NTU25_LIMBS } from './corrupt.js';
export { SkeletonEmptyError, SkeletonParseError } from './errors.js';
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
  parseNpyHeader,
  toNumbers,
} from './npy.js';
export { type ActorOptions, type ActorStrategy, type RawClip, selectActors } from './ntu/actors.js';
export { type NtuName, parseNtuName } from './ntu/name.js';
export { type NtuBody, type NtuSequence, parseNtuSkeleton } from './ntu/parse.js';
export {
  type PkuAction,
  type PkuSkeleton,
  type PkuSplit,
  parsePkuLabels,
  parsePkuSkeleton,
  parsePkuSplit,
  pkuClip,
} from './pku/parse.js';
export {
  alignShoulders,
  type Frame50Options,
  frame50,
  resizeFrames,
  validLength,
} from './preprocess/frame50.js';
export {
  checkNtuSplit,
  inNtuBenchmark,
  isNtuTraining,
  NTU_CLASSES,
  NTU_TRAIN_CAMERAS,
  NTU60_TRAIN_SUBJECTS,
  NTU120_TRAIN_SUBJECTS,
  type NtuBenchmark,
  type NtuSplit,
  parseNameList,
} from './splits.js';
export { clipMotionEnergy, jointMotionEnergy, motionEnergy } from './stats.js';
export type { StreamView } from './streams.js';
export { bonePairs, boneStream, getStream, motionStream } from './streams.js';
export * from './synthetic/index.js';
