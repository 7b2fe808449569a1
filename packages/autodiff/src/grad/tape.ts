/**
 * The tape is implicit: every op output that needs a gradient carries a `GradNode` naming its inputs
 * and a backward closure. Backward walks these nodes in reverse topological order.
 */
import type { Storage } from '@asma/kernels';
import type { Tensor } from '../tensor.js';
import { isGradEnabled } from './mode.js';
import { activeProfile } from './profile.js';
import { noteScratch } from './scratch.js';

/**
 * Maps the gradient of the output (same shape, same dtype) to one gradient per input (input's shape,
 * or null where the input needs none). Each entry must be either `g` itself or a freshly allocated array
 * (never a tensor's data): the engine accumulates into fresh arrays in place and copies `g` before mutating it.
 */
export type BackwardFn = (g: Storage) => (Storage | null)[];

export interface GradNode {
  /** Op name, for error messages and debugging. */
  readonly op: string;
  inputs: Tensor[];
  backward: BackwardFn | null;
  /** Buffers of `scratch` intermediates, released when backward frees this node's graph. */
  scratch?: Storage[];
}

/** Attach a node to `out` when grad mode is on and some input requires grad; returns `out`. */
export function record(out: Tensor, op: string, inputs: Tensor[], backward: BackwardFn): Tensor {
  const profile = activeProfile();
  if (profile !== null) profile.forwardDone(op, out, inputs);
  noteScratch(out.storage);
  if (!isGradEnabled()) return out;
  let any = false;
  for (const t of inputs) if (t.requiresGrad) any = true;
  if (!any) return out;
  out.requiresGrad = true;
  out.gradFn = { op, inputs, backward };
  return out;
}
