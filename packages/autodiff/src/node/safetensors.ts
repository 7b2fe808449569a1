// safetensors files on disk; the format itself (encode, decode) is in ../io/safetensors.ts.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '@asma/util/node';
import {
  decodeSafetensors,
  encodeSafetensors,
  SafetensorsError,
  type SafetensorsFile,
  type TensorEntries,
} from '../io/safetensors.js';

/** Read and validate a .safetensors file. */
export function readSafetensors(path: string): SafetensorsFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new SafetensorsError(path, null, `cannot read (${(err as Error).message})`);
  }
  return decodeSafetensors(bytes, path);
}

/** Write tensors to a .safetensors file atomically (readers never see a half-written file). */
export function writeSafetensors(
  path: string,
  tensors: TensorEntries,
  metadata?: Record<string, string>,
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata, path));
}
