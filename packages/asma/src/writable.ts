/**
 * Output locations checked before any work: a folder that cannot be written was found only after
 * the first epoch (pretrain, finetune) or at the very end (linear, eval), losing the run (issue 21).
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from './command.js';

/** Create `dir` if needed and write (then remove) a probe file in it; a UsageError names the folder and the reason. */
export function requireWritableDir(option: string, dir: string): void {
  const probe = join(dir, `.asma-write-check.${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    throw new UsageError(`--${option}: cannot write to the folder '${dir}' (${(err as Error).message})`);
  }
}

/** The folder of output file `file` is writable, and `file` is not a folder. */
export function requireWritableFile(option: string, file: string): void {
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    // absent: fine
  }
  if (isDir) throw new UsageError(`--${option}: '${file}' is a folder; expected a file name`);
  requireWritableDir(option, dirname(file));
}
