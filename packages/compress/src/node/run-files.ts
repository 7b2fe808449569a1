/**
 * What distill writes with when given an output folder (its checkpoint path, the content hashes a
 * resume checks, the student's file). Imported dynamically, and only then, so that the main entry
 * reaches no node: module.
 */
export { join } from 'node:path';
export { contentHash, datasetHash, moduleHash } from '@asma/trainer/node';
export { saveClassifier } from './classifier-file.js';
