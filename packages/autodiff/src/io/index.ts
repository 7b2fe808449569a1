export { assertFiniteTensors, firstNonFinite, NonFiniteTensorError } from './finite.js';
export { type IntArray, type IntDType, IntTensor } from './int-tensor.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  halfToFloat,
  readSafetensors,
  type SafetensorsDtype,
  SafetensorsError,
  type SafetensorsFile,
  type StoredTensor,
  type TensorEntries,
  writeSafetensors,
} from './safetensors.js';
export {
  loadOptimizerState,
  loadStateDict,
  optimizerStateFromSafetensors,
  optimizerStateToSafetensors,
  saveOptimizerState,
  saveStateDict,
} from './state-dict.js';
