/**
 * asma's compiled inference plan against onnxruntime-node on asma's own ONNX export of the same
 * model: the same clips, in the same process, interleaved call by call (so machine load hits both
 * alike), outputs checked to agree before anything is timed. Median ms per clip of each and the ratio.
 */
import { maxRelativeError } from '@asma/autodiff';
import type { ActionClassifier } from '@asma/trainer';
import type { FoldedClassifier } from './folded.js';
import { compileQuantized } from './infer/int8-plan.js';
import { compileClassifier } from './infer/plan.js';
import { exportOnnx } from './onnx.js';
import { loadOnnxRuntime } from './onnx-check.js';

export interface OnnxBenchOptions {
  reps?: number;
  warmup?: number;
  /** onnxruntime intra-op threads (default 1; asma's plan is single-threaded). */
  threads?: number;
  /** The same model quantised (quantizeClassifier): its compiled int8 plan runs interleaved too. */
  int8?: FoldedClassifier;
}

export interface Int8BenchFigures {
  msPerClip: number;
  /** int8 plan / float plan: < 1 means int8 is faster. */
  ratioToFloat: number;
  /** max |int8 - float| / max |float| of the logits. */
  logitError: number;
}

export interface OnnxBenchRow {
  batchSize: number;
  asmaMsPerClip: number;
  onnxMsPerClip: number;
  /** asma / onnxruntime: < 1 means asma is faster. */
  ratio: number;
  /** max |asma - onnxruntime| / max |asma| of the logits. */
  relativeError: number;
  int8?: Int8BenchFigures;
}

export type OnnxBenchResult =
  | { ran: false; reason: string }
  | { ran: true; threads: number; rows: OnnxBenchRow[] };

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** clips: one batch (N, C, T, V, M) per batch size to measure. */
export async function benchAgainstOnnx(
  model: ActionClassifier,
  batches: { data: Float32Array; shape: readonly number[] }[],
  o: OnnxBenchOptions = {},
): Promise<OnnxBenchResult> {
  const rt = await loadOnnxRuntime();
  if (!rt.ok) return { ran: false, reason: rt.reason };
  const { ort } = rt;
  const threads = o.threads ?? 1;
  const reps = o.reps ?? 50;
  const warmup = o.warmup ?? 5;
  model.eval();
  const rows: OnnxBenchRow[] = [];
  for (const { data, shape } of batches) {
    const [n, , frames, , persons] = shape as [number, number, number, number, number];
    const plan = compileClassifier(model, { batch: n, frames, persons });
    const int8 = o.int8 === undefined ? null : compileQuantized(o.int8, { batch: n, frames, persons });
    const session = await ort.InferenceSession.create(exportOnnx(model, { frames, persons }), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    });
    const feeds = { clips: new ort.Tensor('float32', data, shape) };
    const ours = Float32Array.from(plan.run(data, shape));
    const theirs = (await session.run(feeds)).logits!.data;
    const relativeError = maxRelativeError(theirs, ours);
    if (!(relativeError < 1e-4))
      throw new Error(`bench vs onnxruntime: the logits disagree (relative error ${relativeError})`);
    const int8Error = int8 === null ? 0 : maxRelativeError(int8.run(data, shape), ours);
    const ta: number[] = [];
    const tb: number[] = [];
    const tc: number[] = [];
    for (let r = 0; r < warmup + reps; r++) {
      const t0 = performance.now();
      plan.run(data, shape);
      const t1 = performance.now();
      await session.run(feeds);
      const t2 = performance.now();
      int8?.run(data, shape);
      const t3 = performance.now();
      if (r >= warmup) {
        ta.push((t1 - t0) / n);
        tb.push((t2 - t1) / n);
        tc.push((t3 - t2) / n);
      }
    }
    await session.release?.();
    const asmaMsPerClip = median(ta);
    const onnxMsPerClip = median(tb);
    rows.push({
      batchSize: n,
      asmaMsPerClip,
      onnxMsPerClip,
      ratio: asmaMsPerClip / onnxMsPerClip,
      relativeError,
      ...(int8 === null
        ? {}
        : {
            int8: { msPerClip: median(tc), ratioToFloat: median(tc) / asmaMsPerClip, logitError: int8Error },
          }),
    });
  }
  return { ran: true, threads, rows };
}
