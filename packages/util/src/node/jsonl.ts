import { appendFileSync } from 'node:fs';
import { FileWriteError } from '../file-error.js';

/** Append-only JSON-lines log: one JSON object per line, flushed per record, machine-readable. */
export class JsonlLog {
  constructor(readonly path: string | null) {}

  write(record: Record<string, unknown>): void {
    if (this.path === null) return;
    try {
      appendFileSync(this.path, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
    } catch (err) {
      throw new FileWriteError(this.path, err); // ENOSPC, EIO: name the log
    }
  }
}
