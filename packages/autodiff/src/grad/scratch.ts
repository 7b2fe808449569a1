/**
 * `scratch(fn)`: fn's intermediate tensors are scratch. The op outputs that fn allocates and does not
 * return go back to the buffer pool (grad/recycle.ts) as soon as nothing can read them: when fn returns,
 * if it built no graph (inference under noGrad), else at the end of the backward pass that frees the
 * graph behind fn's result (not after a backward with retainGraph; never, if no backward frees it: the
 * collector then takes them as usual).
 *
 * The contract: fn must not keep references to its intermediates anywhere but in its result (no caches,
 * no side lists): their buffers are handed to later allocations. A module whose forward honours that
 * (ST-GCN's does) wraps its body in `scratch`; users' own code needs no change. Buffers that fn did not
 * allocate (its inputs, parameters, views of them) and buffers under the result are never released.
 */
import type { Storage } from '@asma/kernels';
import type { Tensor } from '../tensor.js';
import { recycle } from './recycle.js';

interface Frame {
  /** Buffers `allocate` produced while fn ran. */
  readonly allocated: Set<object>;
  /** Data of the op outputs recorded while fn ran, and of buffers ops saved for backward. */
  readonly candidates: Storage[];
}

let frame: Frame | null = null;

/** Called by `allocate`. */
export function noteAllocation(a: Storage): void {
  frame?.allocated.add(a.buffer);
}

/** Called by `record` for every op output, and by ops for the buffers they save for backward (masks). */
export function noteScratch(data: Storage): void {
  frame?.candidates.push(data);
}

/** Run fn outside any scratch frame (backward: its gradients are not the frame's to release). */
export function outsideScratch<T>(fn: () => T): T {
  const prev = frame;
  frame = null;
  try {
    return fn();
  } finally {
    frame = prev;
  }
}

/** Release the scratch buffers a node carries (backward calls this when it frees the node). */
export function releaseScratch(node: { scratch?: Storage[] }): void {
  if (node.scratch === undefined) return;
  for (const a of node.scratch) recycle(a);
  delete node.scratch;
}

export function scratch<T extends Tensor | readonly Tensor[]>(fn: () => T): T {
  const parent = frame;
  const mine: Frame = { allocated: new Set(), candidates: [] };
  frame = mine;
  let result: T;
  try {
    result = fn();
  } finally {
    frame = parent;
  }
  const results: readonly Tensor[] = Array.isArray(result) ? result : [result as Tensor];
  const kept = new Set(results.map((t) => t.storage.buffer));
  const dead: Storage[] = [];
  const seen = new Set<object>();
  for (const d of mine.candidates) {
    const b = d.buffer;
    if (!mine.allocated.has(b) || kept.has(b) || seen.has(b)) continue;
    seen.add(b);
    dead.push(d);
  }
  // The results are the enclosing scope's intermediates now.
  if (parent !== null)
    for (const t of results)
      if (mine.allocated.has(t.storage.buffer)) {
        parent.allocated.add(t.storage.buffer);
        parent.candidates.push(t.storage);
      }
  if (results.every((t) => t.gradFn === null)) for (const a of dead) recycle(a);
  else if (results.length === 1) {
    const node = results[0]!.gradFn!;
    node.scratch = node.scratch === undefined ? dead : [...node.scratch, ...dead];
  }
  // Several results with a graph: a backward from one of them may leave the others' paths alive,
  // so nothing is released early; the collector takes the buffers.
  return result;
}
