// Node-only: the .asma model files, the ONNX file, distilled checkpoints, the teacher read from its
// files and the whole compression report (which writes them). Kept out of the main entry so that
// browser bundles of '@asma/compress' reach no node: module.
export { saveClassifier } from './classifier-file.js';
export {
  isModelFile,
  loadAnyClassifier,
  MODEL_KIND_NAMES,
  type ModelFileKind,
  modelFileKind,
} from './load-classifier.js';
export {
  decodeModel,
  encodeModel,
  MAX_HEADER_BYTES,
  MODEL_MAGIC,
  MODEL_VERSION,
  type ModelArray,
  type ModelDType,
  type ModelFileContents,
  ModelFileError,
  type ModelTensor,
  readModelFile,
  writeModelFile,
} from './model-file.js';
export {
  FLOAT_KIND,
  INT8_KIND,
  loadClassifierModel,
  loadQuantizedModel,
  saveClassifierModel,
  saveQuantizedModel,
} from './model-io.js';
export { writeOnnx } from './onnx-file.js';
export { type CompressionReportOptions, compressionReport } from './report.js';
export { loadTeacher } from './teacher-file.js';
