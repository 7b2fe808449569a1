// The masking samplers and what they hide, drawn as SVG. This entry runs anywhere (Node and browsers);
// reading a clip from an .npy file and writing the picture is in '@asma/masking/node'.
export type { ZeroMaskSpec } from './apply.js';
export { applyFrameRemoval, applyJointRemoval, applyZeroMask, zeroMaskArray } from './apply.js';
export { checkCount, MaskingConfigError, NonFiniteEnergyError } from './errors.js';
export type { BodyPart } from './parts.js';
export { bodyParts, resolveParts } from './parts.js';
export type { AsmaOptions, AsmaStrategy, PresetOptions, RandomOptions } from './presets.js';
export { asmaViews, pstlViews, randomViews, scaledDropCounts, strategyByName } from './presets.js';
export { multisetDraw, uniformSample, weightedSampleWithoutReplacement } from './sampling.js';
export type { SpatialMask, SpatialRule, SpatialSampler } from './spatial.js';
export { multisetInclusion, spatialMaskFrom, spatialSampler } from './spatial.js';
export type { MasksSvgOptions } from './svg.js';
export { renderMasksSvg } from './svg.js';
export type { TemporalMask, TemporalRule, TemporalSampler } from './temporal.js';
export { temporalSampler } from './temporal.js';
export type {
  MaskedStreams,
  MaskingStrategy,
  ViewMasks,
  ViewSampleOptions,
  ViewSampler,
  ViewSpec,
} from './views.js';
export { maskingStrategy, sharedJointMask, viewSampler } from './views.js';
export type { JointWeighting } from './weights.js';
export { resolveWeights } from './weights.js';
