// @asma/viewer: the pure pieces of the page (src/core: clips, frames, the model, projection, masked
// views), which run in Node and in browsers. Serving and building the static site is Node's:
// '@asma/viewer/node'. The page itself is src/app (bundled by scripts/build.mjs).
export {
  activeBodies,
  ClipError,
  clipBounds,
  decodeClipFile,
  extractClip,
  framePoints,
  type Point3,
} from './core/clip.js';
export { type Playback, playback, seek, setPlaying, step, tick } from './core/frames.js';
export {
  CLASS_NAMES_KEY,
  classifyClip,
  type LoadedClassifier,
  loadClassifierBytes,
  ModelLoadError,
} from './core/model.js';
export { defaultCamera, type OrbitCamera, orbit, type Projected, project, zoom } from './core/projection.js';
export { type SampleClips, sampleClips } from './core/sample.js';
export { formatLatency, formatProbability, type Ranked, softmax, topK } from './core/topk.js';
export { type ClipViews, clipViews, dropCounts, type FrameState, type ViewPicture } from './core/views.js';
export { contentType } from './server/content-type.js';
