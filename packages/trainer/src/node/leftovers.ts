/** What a killed run leaves behind, cleaned up when the next run starts. */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@asma/util/node';

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove `.<name>.<pid>.<ms>.tmp` files in the folder of `path` (the temporaries of writeFileAtomic
 * and NpyWriter) whose writer is no longer running: a kill during a checkpoint write leaves one, as
 * large as the checkpoint. The folder is the run's output folder, so any such file is the run's own.
 */
export function removeStaleTemporaries(path: string): string[] {
  const dir = dirname(path);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = /^\..+\.(\d+)\.\d+\.tmp$/.exec(name);
    if (m === null || alive(Number(m[1]))) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/**
 * Keep only the log's records of epochs before `epoch` (the first epoch this run trains): after a
 * resume the killed run's records of later epochs would otherwise appear twice. A fresh run
 * (epoch 0) starts an empty log.
 */
export function truncateLog(path: string, epoch: number): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  const kept = text.split('\n').filter((line) => {
    if (line.trim() === '') return false;
    try {
      const r = JSON.parse(line) as { epoch?: unknown };
      return typeof r.epoch === 'number' && r.epoch < epoch;
    } catch {
      return false; // a line cut by the kill
    }
  });
  const next = kept.map((l) => `${l}\n`).join('');
  if (next !== text) writeFileAtomic(path, next);
}
