// Node-only: .npy files, skeleton files, dataset conversion and synthetic split folders on disk. Kept
// out of the main entry so that browser bundles of '@asma/skeleton' reach no node: module.
export type { ConversionSummary, Skipped } from './convert/engine.js';
export { type ConvertNtuOptions, convertNtu } from './convert/ntu.js';
export { type ConvertPkuOptions, convertPku } from './convert/pku.js';
export { NpyReader, NpyWriter, readNpy, writeNpy } from './npy-file.js';
export { readNtuSkeleton, readPkuSkeleton } from './read-skeleton.js';
export { type WrittenSplit, writeSyntheticSplit } from './synthetic-write.js';
