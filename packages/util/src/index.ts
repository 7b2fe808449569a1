// The small utilities every asma package shares. This entry runs anywhere (Node and browsers);
// what writes files or draws on a terminal is in '@asma/util/node'.
export { FileWriteError } from './file-error.js';
export { formatDuration, formatRate } from './format.js';
export { Rng } from './rng.js';
export { isNodeRuntime, loadNodeOnly, NodeOnlyError } from './runtime.js';
