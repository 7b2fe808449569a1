// @asma/viewer, Node side: serve and build the static site. The page itself is src/app (bundled
// by scripts/build.mjs); src/core holds the pure pieces shared by the page and Node.
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
export { inside, resolveSitePath } from './server/resolve-path.js';
export { LOOPBACK_HOSTS, type RunningServer, type ServeOptions, serveSite } from './server/serve.js';
export { BUILD_SCRIPT, buildSite, ensureSite, SITE_DIR, siteBuilt, VIEWER_ROOT } from './server/site.js';
