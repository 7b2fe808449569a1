// One skeleton file read and parsed; the parsers of the text are in ../ntu/parse.ts and ../pku/parse.ts.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type NtuSequence, parseNtuSkeleton } from '../ntu/parse.js';
import { type PkuSkeleton, parsePkuSkeleton } from '../pku/parse.js';

/** Read and parse one .skeleton file; errors name the file by its base name. */
export function readNtuSkeleton(path: string): NtuSequence {
  return parseNtuSkeleton(readFileSync(path, 'utf8'), basename(path));
}

export function readPkuSkeleton(path: string): PkuSkeleton {
  return parsePkuSkeleton(readFileSync(path, 'utf8'), basename(path));
}
