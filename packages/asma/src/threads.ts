/**
 * Kernel threads for every command: `--threads N` (anywhere on the command line) or ASMA_THREADS,
 * default the machine's cores. Results do not depend on the count (the threaded backend is
 * bit-identical to one thread), so the default only changes speed.
 */
import { availableParallelism } from 'node:os';
import { getBackend, KernelThreads, setBackend, threadedCpuBackend } from '@asma/kernels';
import { UsageError } from './command.js';

export interface ThreadsRequest {
  threads: number;
  /** false when the count is the default (a pool that cannot start then falls back to one thread). */
  explicit: boolean;
  /** argv without the --threads option. */
  rest: string[];
}

/**
 * The most threads a run may ask for: each is a worker with its own heap (tens of MB), and beyond
 * the cores they only take turns; 1000 of them exhausted memory without progress (issue 21).
 */
export function maxThreads(cores = availableParallelism()): number {
  return Math.max(8, 2 * cores);
}

export function parseThreads(argv: string[], env: NodeJS.ProcessEnv = process.env): ThreadsRequest {
  const rest: string[] = [];
  let text: string | undefined;
  let source = '--threads';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--threads') {
      text = argv[++i];
      if (text === undefined) throw new UsageError('--threads needs a value (a positive integer)');
    } else if (a.startsWith('--threads=')) text = a.slice('--threads='.length);
    else rest.push(a);
  }
  if (text === undefined && env.ASMA_THREADS !== undefined && env.ASMA_THREADS !== '') {
    text = env.ASMA_THREADS;
    source = 'ASMA_THREADS';
  }
  if (text === undefined) return { threads: availableParallelism(), explicit: false, rest };
  const threads = Number(text);
  if (!Number.isInteger(threads) || threads < 1)
    throw new UsageError(`${source}: expected a positive integer, got '${text}'`);
  const cores = availableParallelism();
  if (threads > maxThreads(cores))
    throw new UsageError(
      `${source}: ${threads} threads on a machine with ${cores} cores; at most ${maxThreads(cores)} (each thread is a worker with its own memory, and more threads than cores only take turns; results are the same for any count)`,
    );
  return { threads, explicit: true, rest };
}

/** Run fn with the kernels spread over `threads` (the calling thread included). */
export async function withKernelThreads<T>(req: ThreadsRequest, fn: () => Promise<T>): Promise<T> {
  if (req.threads <= 1) return fn();
  let pool: KernelThreads;
  try {
    pool = await KernelThreads.start(req.threads);
  } catch (e) {
    if (req.explicit) throw e;
    console.error(`asma: running on one thread (${e instanceof Error ? e.message : String(e)})`);
    return fn();
  }
  const prev = setBackend(threadedCpuBackend(pool));
  try {
    return await fn();
  } finally {
    if (getBackend() !== prev) setBackend(prev);
    await pool.close();
  }
}
