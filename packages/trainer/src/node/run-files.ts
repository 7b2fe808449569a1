/**
 * The Node half of a training run that writes files (checkpoint, log, result files) or draws a
 * terminal bar. fit, pretrain and finetune import this module dynamically, and only when asked for
 * one of those, so that the main entry reaches no node: module and the loop runs in browsers.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { JsonlLog } from '@asma/util/node';
import { removeStaleTemporaries, truncateLog } from './leftovers.js';

export { existsSync } from 'node:fs';
export { join } from 'node:path';
export { ProgressBar } from '@asma/util/node';
export { saveCheckpoint } from './checkpoint.js';
export { datasetHash, moduleHash } from './fingerprint.js';
export { loadTrainState, saveTrainState } from './state.js';
export { saveStGcn } from './stgcn-checkpoint.js';

/** Make the checkpoint's folder and remove the temporaries a killed run left in it. */
export function prepareCheckpoint(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  removeStaleTemporaries(path);
}

/**
 * The run's JSON-lines log in a folder made for it; a resumed run continues the log after the
 * checkpoint's epoch, and a killed run's later lines are dropped.
 */
export function openLog(path: string, startEpoch: number): JsonlLog {
  mkdirSync(dirname(path), { recursive: true });
  truncateLog(path, startEpoch);
  return new JsonlLog(path);
}
