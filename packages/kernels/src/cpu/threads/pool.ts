/**
 * Kernel threads: the calling thread plus `threads - 1` Node worker threads over shared memory.
 * A call splits the batch (samples for per-sample kernels, fixed parts for reductions), posts each
 * worker its share, runs its own share, and blocks in Atomics.wait until every worker has answered.
 * The calling thread works on the caller's arrays in place; what a worker reads or writes is staged
 * through grow-only shared buffers (its samples of the inputs copied in, of the output copied back)
 * unless it already lives in a SharedArrayBuffer (the threaded backend hands out shared storage for
 * large float32 tensors, so staging is the exception). Element-wise tasks (tasks.ts) split channels
 * or elements the same way.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { onRuntimeOptionsChange, type RuntimeOptions, runtimeOptions } from '../../runtime/options.js';
import type { FloatArray } from '../../types.js';
import {
  addPartials,
  lengthsOf,
  partialSize,
  partialViews,
  partRange,
  reductionParts,
} from '../partition.js';
import type { RuntimeReport } from '../runtimeReport.js';
import { gemmWasm } from '../wasm/gemmF32.js';
import {
  type KernelArgs,
  type PartKernel,
  partInputsPerSample,
  perSample,
  runPart,
  runSamples,
  type SampleKernel,
} from './jobs.js';
import { awaitAnswer, FAILED, type Job, type OptionsMessage, PENDING, refOf } from './protocol.js';
import { runTask, type TaskArgs, type TaskKernel } from './tasks.js';

type ReceiveMessage = (port: MessagePort) => { message: unknown } | undefined;

/**
 * A worker that has not answered after this long is reported, not waited on forever: 10 minutes, or
 * ASMA_KERNEL_THREAD_TIMEOUT_S seconds (the tests use 120), or `start`'s `answerTimeoutMs`.
 */
function defaultAnswerTimeoutMs(): number {
  const s = Number(process.env.ASMA_KERNEL_THREAD_TIMEOUT_S);
  return s > 0 ? s * 1000 : 10 * 60 * 1000;
}

export interface KernelThreadsOptions {
  /** How long a call waits for a worker's answer before it throws (and the pool stops). */
  answerTimeoutMs?: number;
}

export function isShared(a: FloatArray): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

/** A zeroed float32 array in shared memory. */
export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

function workerUrl(): URL {
  const here = import.meta.url;
  // Under the test runner this module is TypeScript source; workers always run the compiled dist/.
  return here.endsWith('.ts')
    ? new URL('../../../dist/cpu/threads/worker.js', here)
    : new URL('./worker.js', here);
}

export class KernelThreads {
  private readonly words: Int32Array;
  private readonly staging = new Map<string, Float32Array>();
  private closed = false;
  /** Why this pool can no longer be used (a worker that did not answer or exited), or null. */
  private broken: string | null = null;
  /** Stops forwarding runtime option changes to the workers (on close). */
  private readonly unlisten: () => void;

  private constructor(
    private readonly workers: Worker[],
    private readonly ports: MessagePort[],
    status: SharedArrayBuffer,
    private readonly receive: ReceiveMessage,
    private readonly answerTimeoutMs: number,
  ) {
    this.words = new Int32Array(status);
    // Every change reaches each worker before its next job (a port delivers in order). Sent once now
    // too: a change made while the workers were starting came after their workerData snapshot.
    const send = (options: RuntimeOptions) => {
      const message: OptionsMessage = { kind: 'options', options: { ...options } };
      for (const port of this.ports) port.postMessage(message);
    };
    this.unlisten = onRuntimeOptionsChange(send);
    send(runtimeOptions());
    // Seen between calls: a call that finds it throws at once instead of waiting out the timeout.
    for (const [i, w] of workers.entries())
      w.on('exit', (code) => {
        if (!this.closed) this.broken ??= `kernel worker ${i + 1} exited (code ${code})`;
      });
  }

  /** Start `threads - 1` workers (threads >= 1 counts the calling thread) and wait until each is ready. */
  static async start(threads: number, opts: KernelThreadsOptions = {}): Promise<KernelThreads> {
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`kernel threads: expected a positive integer, got ${threads}`);
    const answerTimeoutMs = opts.answerTimeoutMs ?? defaultAnswerTimeoutMs();
    if (!(answerTimeoutMs > 0))
      throw new RangeError(`kernel threads: answerTimeoutMs must be positive, got ${answerTimeoutMs}`);
    const wt = await import('node:worker_threads');
    // Compile this thread's kernels first: workers adopt their shape.
    const shape = gemmWasm()?.shape ?? null;
    const status = new SharedArrayBuffer(4 * Math.max(1, threads - 1));
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    const url = workerUrl();
    try {
      await Promise.all(
        Array.from({ length: threads - 1 }, (_, index) => {
          const { port1, port2 } = new wt.MessageChannel();
          const worker = new wt.Worker(url, {
            workerData: { port: port2, status, index, shape, options: { ...runtimeOptions() } },
            transferList: [port2],
          });
          workers.push(worker);
          ports.push(port1);
          return new Promise<void>((resolve, reject) => {
            port1.once('message', () => resolve());
            worker.once('error', (e) =>
              reject(
                new Error(`kernel worker ${index + 1} failed to start from ${url.pathname}: ${e.message}`),
              ),
            );
          });
        }),
      );
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    for (const [i, w] of workers.entries()) {
      // Idle workers must not keep the process alive; answers are read synchronously from now on.
      w.unref();
      ports[i]!.removeAllListeners('message');
      ports[i]!.unref();
    }
    return new KernelThreads(
      workers,
      ports,
      status,
      wt.receiveMessageOnPort as ReceiveMessage,
      answerTimeoutMs,
    );
  }

  /** Threads a call is split over, the calling thread included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unlisten();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Each worker's runtime report (its options and gemm, read back from the worker itself), in worker order. */
  workerReports(): RuntimeReport[] {
    const posted: number[] = [];
    try {
      for (let w = 0; w < this.workers.length; w++) {
        this.post(w, { kind: 'report' });
        posted.push(w);
      }
    } finally {
      this.waitAll(posted);
    }
    return posted.map((w) => {
      const m = this.receive(this.ports[w]!)?.message as { report?: RuntimeReport } | undefined;
      if (m?.report === undefined)
        throw new Error(`kernel threads: worker ${w + 1} answered without a report`);
      return m.report;
    });
  }

  /** Run a per-sample kernel over p.n samples; arrays[0] is its output. */
  samples(kernel: SampleKernel, arrays: readonly (FloatArray | null)[], p: KernelArgs): void {
    const t = Math.min(this.threads, p.n);
    // Samples [0, split) stay on this thread, in place; the workers' samples [split, n) are staged.
    const split = partRange(p.n, t, 0)[1];
    const sizes = perSample(kernel, p);
    const staged = arrays.map((a, i) => {
      if (a === null || isShared(a)) return a;
      const size = sizes[i]!;
      if (size === 0) return this.share(`s${i}`, a, 0, a.length, true);
      return this.share(`s${i}`, a, split * size, a.length, i !== 0);
    });
    const refs = staged.map((a) => (a === null ? null : refOf(a)));
    const posted: number[] = [];
    try {
      for (let w = 1; w < t; w++) {
        const [n0, n1] = partRange(p.n, t, w);
        this.post(w - 1, { kind: 'samples', kernel, arrays: refs, p, n0, n1 });
        posted.push(w - 1);
      }
      runSamples(kernel, arrays, p, 0, split);
    } finally {
      this.waitAll(posted);
    }
    const out = arrays[0]!;
    const from = split * sizes[0]!;
    if (staged[0] !== out) out.set(staged[0]!.subarray(from), from);
  }

  /** Run a batch reduction in its fixed parts (partition.ts); the calling thread writes part 0 into outs. */
  parts(
    kernel: PartKernel,
    outs: (FloatArray | null)[],
    ins: readonly (FloatArray | null)[],
    p: KernelArgs,
  ): void {
    const parts = reductionParts(p.n);
    const lengths = lengthsOf(outs);
    const partials = this.buffer('partials', (parts - 1) * partialSize(lengths));
    const t = Math.min(this.threads, parts);
    // This thread reads the caller's inputs in place; workers read their samples [from, n) staged.
    const from = partRange(p.n, parts, partRange(parts, t, 1)[0])[0];
    const sizes = partInputsPerSample(kernel, p);
    const sharedIns = ins.map((a, i) =>
      a === null || isShared(a) ? a : this.share(`p${i}`, a, from * sizes[i]!, a.length, true),
    );
    const posted: number[] = [];
    try {
      for (let w = 1; w < t; w++) {
        const [j0, j1] = partRange(parts, t, w);
        const insRefs = sharedIns.map((a) => (a === null ? null : refOf(a)));
        this.post(w - 1, {
          kind: 'parts',
          kernel,
          partials: refOf(partials),
          lengths,
          ins: insRefs,
          p,
          parts,
          j0,
          j1,
        });
        posted.push(w - 1);
      }
      const [j0, j1] = partRange(parts, t, 0);
      for (let j = j0; j < j1; j++) {
        const [n0, n1] = partRange(p.n, parts, j);
        runPart(kernel, j === 0 ? outs : partialViews(partials, lengths, j), ins, p, n0, n1);
      }
    } finally {
      this.waitAll(posted);
    }
    addPartials(outs, partials, parts);
  }

  /**
   * Run an element-wise task over [0, total) split in equal ranges (channels or elements, tasks.ts);
   * every array must already be shared (see `stage`) or null.
   */
  task(kernel: TaskKernel, arrays: readonly (FloatArray | null)[], args: TaskArgs, total: number): void {
    const t = Math.min(this.threads, total);
    const refs = arrays.map((a) => (a === null ? null : refOf(a)));
    const posted: number[] = [];
    try {
      for (let w = 1; w < t; w++) {
        const [r0, r1] = partRange(total, t, w);
        this.post(w - 1, { kind: 'task', kernel, arrays: refs, args, r0, r1 });
        posted.push(w - 1);
      }
      const [r0, r1] = partRange(total, t, 0);
      runTask(kernel, arrays, args, r0, r1);
    } finally {
      this.waitAll(posted);
    }
  }

  /** `a` itself when shared, else a shared stand-in per slot (a's values copied in when `copyIn`). */
  stage(slot: string, a: FloatArray, copyIn: boolean): FloatArray {
    if (isShared(a)) return a;
    if (a instanceof Float64Array) {
      const s = new Float64Array(new SharedArrayBuffer(a.length * 8));
      if (copyIn) s.set(a);
      return s;
    }
    const s = this.buffer(slot, a.length);
    if (copyIn) s.set(a);
    return s;
  }

  private post(worker: number, job: Job): void {
    if (this.closed) throw new Error('kernel threads: used after close()');
    if (this.broken !== null)
      throw new Error(`kernel threads: unusable since ${this.broken}; start a new pool`);
    Atomics.store(this.words, worker, PENDING);
    this.ports[worker]!.postMessage(job);
  }

  private waitAll(workers: readonly number[]): void {
    const failures: string[] = [];
    for (const w of workers) {
      const timedOut = awaitAnswer(this.words, w, this.answerTimeoutMs) === 'timed-out';
      if (timedOut) {
        const silence = `worker ${w + 1} did not answer within ${this.answerTimeoutMs / 1000} s`;
        failures.push(silence);
        // Its status word may still flip when it finishes: the pool cannot tell that answer from the next.
        this.broken ??= `kernel ${silence}`;
      } else if (Atomics.load(this.words, w) === FAILED) {
        const m = this.receive(this.ports[w]!)?.message as { error?: string } | undefined;
        failures.push(`worker ${w + 1}: ${m?.error ?? 'failed without a message'}`);
      }
    }
    if (failures.length > 0) throw new Error(`kernel threads: ${failures.join('; ')}`);
  }

  /** A shared stand-in for `a` holding a's elements [from, to) when `copyIn` (the rest unset). */
  private share(slot: string, a: FloatArray, from: number, to: number, copyIn: boolean): FloatArray {
    if (a instanceof Float64Array)
      throw new TypeError('kernel threads: float64 arrays run on the calling thread');
    const s = this.buffer(slot, a.length);
    if (copyIn) s.set(a.subarray(from, to), from);
    return s;
  }

  /** A grow-only shared float32 buffer per slot, viewed at exactly n elements. */
  private buffer(slot: string, n: number): Float32Array {
    let b = this.staging.get(slot);
    if (b === undefined || b.length < n) {
      b = sharedFloat32(Math.max(n, b === undefined ? 0 : b.length * 2));
      this.staging.set(slot, b);
    }
    return b.subarray(0, n);
  }
}
