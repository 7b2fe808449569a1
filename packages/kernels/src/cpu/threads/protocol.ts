/** What crosses between the calling thread and a kernel worker: shared-memory views and jobs as plain data. */
import type { RuntimeOptions } from '../../runtime/options.js';
import type { FloatArray } from '../../types.js';
import type { KernelArgs, PartKernel, SampleKernel } from './jobs.js';
import type { TaskArgs, TaskKernel } from './tasks.js';

/** A typed-array view into a SharedArrayBuffer, by value. */
export interface ArrayRef {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
  f64: boolean;
}

export interface SamplesJob {
  kind: 'samples';
  kernel: SampleKernel;
  arrays: (ArrayRef | null)[];
  p: KernelArgs;
  n0: number;
  n1: number;
}

/** Parts j0..j1-1 (all >= 1) of a reduction over p.n samples, written into `partials`. */
export interface PartsJob {
  kind: 'parts';
  kernel: PartKernel;
  partials: ArrayRef;
  lengths: (number | null)[];
  ins: (ArrayRef | null)[];
  p: KernelArgs;
  parts: number;
  j0: number;
  j1: number;
}

/** Range [r0, r1) of an element-wise task (channels or elements, see tasks.ts). */
export interface TaskJob {
  kind: 'task';
  kernel: TaskKernel;
  arrays: (ArrayRef | null)[];
  args: TaskArgs;
  r0: number;
  r1: number;
}

/** Ask a worker for its runtime report (runtimeReport.ts): it posts the report, then answers DONE. */
export interface ReportJob {
  kind: 'report';
}

export type Job = SamplesJob | PartsJob | TaskJob | ReportJob;

/** New runtime options for a worker: applied in order with the jobs, not answered (no status word). */
export interface OptionsMessage {
  kind: 'options';
  options: RuntimeOptions;
}

/** Status words, one Int32 per worker in the control buffer. */
export const PENDING = 0;
export const DONE = 1;
export const FAILED = 2;

/**
 * Block until status word `index` leaves PENDING (or the timeout passes). Wake-ups are not answers:
 * a worker's notify for its previous job can arrive after the next job was posted (it stores DONE,
 * the caller moves on and posts again, then the notify lands), so only the word itself counts.
 */
export function awaitAnswer(words: Int32Array, index: number, timeoutMs: number): 'answered' | 'timed-out' {
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(words, index) === PENDING) {
    const left = deadline - Date.now();
    if (left <= 0) return 'timed-out';
    Atomics.wait(words, index, PENDING, left);
  }
  return 'answered';
}

export function refOf(a: FloatArray): ArrayRef {
  return {
    buffer: a.buffer as SharedArrayBuffer,
    byteOffset: a.byteOffset,
    length: a.length,
    f64: a instanceof Float64Array,
  };
}

export function viewOf(r: ArrayRef): FloatArray {
  return r.f64
    ? new Float64Array(r.buffer, r.byteOffset, r.length)
    : new Float32Array(r.buffer, r.byteOffset, r.length);
}
