// Node-only: safetensors files and state dicts on disk. Kept out of the main entry so that browser
// bundles of '@asma/autodiff' reach no node: module; the formats themselves are in the main entry.
export { readSafetensors, writeSafetensors } from './safetensors.js';
export { loadOptimizerState, loadStateDict, saveOptimizerState, saveStateDict } from './state-dict.js';
