export { assertFiniteTensors, firstNonFinite, NonFiniteTensorError } from './finite.js';
export { type IntArray, type IntDType, IntTensor } from './int-tensor.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  halfToFloat,
  type SafetensorsDtype,
  SafetensorsError,
  type SafetensorsFile,
  type StoredTensor,
  type TensorEntries,
} from './safetensors.js';
export { optimizerStateFromSafetensors, optimizerStateToSafetensors } from './state-dict.js';
