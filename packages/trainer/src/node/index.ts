// Node-only: clip sets read from .npy files, checkpoints and encoders on disk, training state for
// resume, content hashes of a run's inputs (node:crypto) and `asma embed`. Kept out of the main entry
// so that browser bundles of '@asma/trainer' reach no node: module; the main entry's training runs
// load what they write with (run-files.ts) only when given a path.
export { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
export { declaredClassCount, loadDataset, readLabels } from './dataset.js';
export { EmbedDataError, type EmbedOptions, type EmbedResult, embed, embedWith } from './embed.js';
export { contentHash, datasetHash, moduleHash } from './fingerprint.js';
export { removeStaleTemporaries, truncateLog } from './leftovers.js';
export { loadTrainState, type ResumeExpectation, saveTrainState, type TrainState } from './state.js';
export { type LoadedStGcn, type LoadStGcnOptions, loadStGcn, saveStGcn } from './stgcn-checkpoint.js';
