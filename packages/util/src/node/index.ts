// Node-only utilities (node:fs, a terminal): kept out of the main entry so that browser bundles
// of the packages that use '@asma/util' need no stubs for them.
export { writeFileAtomic } from './atomic.js';
export { JsonlLog } from './jsonl.js';
export { ProgressBar, type ProgressOptions } from './progress.js';
