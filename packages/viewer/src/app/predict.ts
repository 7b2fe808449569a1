/** Runs the student on a clip, timing it (with the readback of its logits), and renders the top-5 list. */
import type { SkeletonBatch } from '@asma/skeleton';
import { classifyClip, type LoadedClassifier } from '../core/model.js';
import { formatLatency, formatProbability, type Ranked, topK } from '../core/topk.js';

export interface Prediction {
  top5: Ranked[];
  latencyMs: number;
}

export async function predict(c: LoadedClassifier, clip: SkeletonBatch): Promise<Prediction> {
  const t0 = performance.now();
  const logits = await classifyClip(c, clip);
  const latencyMs = performance.now() - t0;
  return { top5: topK(logits, c.classNames, 5), latencyMs };
}

export function renderPrediction(
  list: HTMLOListElement,
  latency: HTMLElement,
  p: Prediction,
  frames: number,
  backend: string,
): void {
  list.replaceChildren(
    ...p.top5.map((r) => {
      const li = document.createElement('li');
      li.dataset.index = String(r.index);
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = r.label;
      const prob = document.createElement('span');
      prob.className = 'prob';
      prob.textContent = ` ${formatProbability(r.probability)}`;
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.width = `${Math.max(1, r.probability * 100)}%`;
      li.append(label, prob, bar);
      return li;
    }),
  );
  latency.textContent = `latency ${formatLatency(p.latencyMs)} per clip (${frames} frames, one forward pass in this tab, on ${backend})`;
}
