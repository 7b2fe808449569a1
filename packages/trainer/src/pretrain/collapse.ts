/**
 * Did the Barlow Twins projections collapse? The methods log 'redundancy', the mean squared
 * cross-correlation of distinct projection features (0: decorrelated, 1: every feature a copy of one).
 * Collapse is what the redundancy term exists to prevent, and it is cheap when lambda is small for
 * the width: a collapsed projection costs lambda * D(D - 1) while invariance can gain at most D, so
 * the paper's lambda 2e-4, balanced at width 6144 (lambda * D = 1.23), lets a 256-wide projector
 * collapse (measured: redundancy 0.9 after 20 epochs of the demo, docs/results.md).
 */
import { BARLOW_TWINS_LAMBDA } from '../losses/barlow-twins.js';
import type { EpochRecord } from '../train/fit.js';

/** Above this redundancy at the last epoch, a run is reported as collapsed. */
export const COLLAPSED_REDUNDANCY = 0.5;

/** The paper's balance of the two terms: lambda * projector width = 2e-4 * 6144. */
export const PAPER_LAMBDA_WIDTH = BARLOW_TWINS_LAMBDA * 6144;

/** The lambda that keeps the paper's balance at `width`, to 6 significant digits (0.0048 at 256, not 0.0048000000000000004). */
export function balancedLambda(width: number): number {
  return Number((PAPER_LAMBDA_WIDTH / width).toPrecision(6));
}

/** A one-paragraph warning when the last epoch's redundancy says the projections collapsed, else null. */
export function collapseWarning(
  history: readonly EpochRecord[],
  o: { lambda: number; projectorWidth: number },
): string | null {
  const r = history.at(-1)?.parts.redundancy;
  if (r === undefined || !(r > COLLAPSED_REDUNDANCY)) return null;
  return (
    `warning: the Barlow Twins projections collapsed: their features' mean squared cross-correlation is ` +
    `${r.toFixed(2)} at the last epoch (0: decorrelated, 1: all copies of one). lambda * width = ` +
    `${(o.lambda * o.projectorWidth).toPrecision(3)} (the paper's: ${PAPER_LAMBDA_WIDTH.toPrecision(3)}); ` +
    `--lambda ${balancedLambda(o.projectorWidth).toPrecision(2)} keeps the paper's balance at width ${o.projectorWidth}.`
  );
}
