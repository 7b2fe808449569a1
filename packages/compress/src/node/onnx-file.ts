// The ONNX export written to a file; the export itself (bytes) is ../onnx.ts.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ActionClassifier } from '@asma/trainer';
import { writeFileAtomic } from '@asma/util/node';
import type { FoldedClassifier } from '../folded.js';
import { exportOnnx, type OnnxExportOptions } from '../onnx.js';

/** Write the ONNX file atomically; returns its size in bytes. */
export function writeOnnx(
  model: ActionClassifier | FoldedClassifier,
  path: string,
  o: OnnxExportOptions,
): number {
  const bytes = exportOnnx(model, o);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, bytes);
  return bytes.length;
}
