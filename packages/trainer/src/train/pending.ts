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

/** One readback for a list of scalar tensors. */
async function readScalars(ts: Tensor[]): Promise<FloatArray> {
  if (ts.length === 1) return ts[0]!.read();
  return noGrad(() => stack(ts.map((t) => t.detach()))).read();
}

/** Read the pending steps' values (their observers are called, in step order); empties the list. */
export async function readPending(pending: PendingStep[]): Promise<ReadStep[]> {
  if (pending.length === 0) return [];
  const steps = pending.splice(0, pending.length);
  const losses = await readScalars(steps.map((p) => p.loss));
  const partKeys = [...new Set(steps.flatMap((p) => Object.keys(p.parts)))];
  const partValues = new Map<string, number[]>();
  for (const k of partKeys) {
    const tensors = steps.map((p) => p.parts[k]).filter((v): v is Tensor => typeof v === 'object');
    const read = tensors.length > 0 ? await readScalars(tensors) : new Float32Array(0);
    let next = 0;
    partValues.set(
      k,
      steps.map((p) => {
        const v = p.parts[k];
        return v === undefined ? Number.NaN : typeof v === 'number' ? v : read[next++]!;
      }),
    );
  }
  for (const p of steps) if (p.observe) p.observe.use(await p.observe.tensor.read());
  return steps.map((p, i) => ({
    step: p.step,
    samples: p.samples,
    loss: losses[i]!,
    parts: Object.fromEntries(
      partKeys.filter((k) => p.parts[k] !== undefined).map((k) => [k, partValues.get(k)![i]!]),
    ),
  }));
}
