/**
 * The steps a device backend has run but whose numbers are not yet read. A GPU cannot answer a
 * synchronous read, and each readback stalls its queue, so `fit` keeps the steps' loss tensors here
 * and reads them together every few steps and at the end of each epoch: the losses of all pending
 * steps stacked into one tensor (one readback), likewise each named loss term, and each step's
 * `observe` tensor. The values are the ones `item()` would have given, in step order.
 */
import { noGrad, stack, type Tensor } from '@asma/autodiff';
import type { FloatArray } from '@asma/kernels';

/** A tensor a step wants to see after it has run (logits for training accuracy), and what to do with it. */
export interface Observe {
  tensor: Tensor;
  use(values: FloatArray): void;
}

export interface PendingStep {
  /** Global step number (for messages). */
  step: number;
  samples: number;
  loss: Tensor;
  parts: Record<string, number | Tensor>;
  observe?: Observe;
}

export interface ReadStep {
  step: number;
  samples: number;
  loss: number;
  parts: Record<string, number>;
}

/** One readback for a list of scalar tensors (started now: the copy is recorded at this point). */
function readScalars(ts: Tensor[]): Promise<FloatArray> {
  if (ts.length === 1) return ts[0]!.read();
  return noGrad(() => stack(ts.map((t) => t.detach()))).read();
}

/**
 * Starts reading the pending steps' values and empties the list. Every read is recorded now, so the
 * numbers are those of this point of the run however late the promise is awaited; the observers are
 * called, in step order, when it resolves.
 */
export function readPending(pending: PendingStep[]): Promise<ReadStep[]> {
  if (pending.length === 0) return Promise.resolve([]);
  const steps = pending.splice(0, pending.length);
  const losses = readScalars(steps.map((p) => p.loss));
  const partKeys = [...new Set(steps.flatMap((p) => Object.keys(p.parts)))];
  const partReads = partKeys.map((k) => {
    const tensors = steps.map((p) => p.parts[k]).filter((v): v is Tensor => typeof v === 'object');
    return tensors.length > 0 ? readScalars(tensors) : Promise.resolve(new Float32Array(0));
  });
  const observed = steps.map((p) => p.observe?.tensor.read());
  return (async () => {
    const lossValues = await losses;
    const partValues = new Map<string, number[]>();
    for (const [j, k] of partKeys.entries()) {
      const read = await partReads[j]!;
      let next = 0;
      partValues.set(
        k,
        steps.map((p) => {
          const v = p.parts[k];
          return v === undefined ? Number.NaN : typeof v === 'number' ? v : read[next++]!;
        }),
      );
    }
    for (const [i, p] of steps.entries()) if (p.observe) p.observe.use(await observed[i]!);
    return steps.map((p, i) => ({
      step: p.step,
      samples: p.samples,
      loss: lossValues[i]!,
      parts: Object.fromEntries(
        partKeys.filter((k) => p.parts[k] !== undefined).map((k) => [k, partValues.get(k)![i]!]),
      ),
    }));
  })();
}
