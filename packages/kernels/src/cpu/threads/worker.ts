/**
 * A kernel worker: waits for jobs on its port, runs them on views of shared memory with the same
 * kernels as the calling thread (its own WebAssembly gemm instance), and reports through its status
 * word (Atomics.notify), since the caller blocks in Atomics.wait rather than in an event loop.
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { type RuntimeOptions, setRuntimeOptions } from '../../runtime/options.js';
import { partialViews, partRange } from '../partition.js';
import { runtimeReport } from '../runtimeReport.js';
import { adoptWasmShape } from '../wasm/gemmF32.js';
import type { KernelShape } from '../wasm/kernel.js';
import { runPart, runSamples } from './jobs.js';
import { DONE, FAILED, type Job, type OptionsMessage, viewOf } from './protocol.js';
import { runTask } from './tasks.js';

const { port, status, index, shape, options } = workerData as {
  port: MessagePort;
  status: SharedArrayBuffer;
  index: number;
  shape: KernelShape | null;
  options: RuntimeOptions;
};
// The calling thread's switches (gemm path, direct convolution, ...): changes arrive as OptionsMessages.
setRuntimeOptions(options);
// The calling thread's kernel shape (relaxed-SIMD multiply-add or not), so every sample gets the same rounding.
if (shape !== null) adoptWasmShape(shape);
const words = new Int32Array(status);

function run(job: Job): void {
  if (job.kind === 'report') {
    port.postMessage({ report: runtimeReport() });
    return;
  }
  if (job.kind === 'task') {
    runTask(
      job.kernel,
      job.arrays.map((r) => (r === null ? null : viewOf(r))),
      job.args,
      job.r0,
      job.r1,
    );
    return;
  }
  if (job.kind === 'samples') {
    runSamples(
      job.kernel,
      job.arrays.map((r) => (r === null ? null : viewOf(r))),
      job.p,
      job.n0,
      job.n1,
    );
    return;
  }
  const partials = viewOf(job.partials);
  const ins = job.ins.map((r) => (r === null ? null : viewOf(r)));
  for (let j = job.j0; j < job.j1; j++) {
    const [n0, n1] = partRange(job.p.n, job.parts, j);
    runPart(job.kernel, partialViews(partials, job.lengths, j), ins, job.p, n0, n1);
  }
}

port.on('message', (job: Job | OptionsMessage) => {
  if (job.kind === 'options') {
    setRuntimeOptions(job.options);
    return;
  }
  let code = DONE;
  try {
    run(job);
  } catch (e) {
    code = FAILED;
    port.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
  Atomics.store(words, index, code);
  Atomics.notify(words, index);
});
port.postMessage({ ready: true });
