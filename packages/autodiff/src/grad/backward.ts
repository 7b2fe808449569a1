import { getBackend, isDeviceArray, type Storage } from '@asma/kernels';
import { ArgumentError, fmtShape, ShapeError } from '../ops/errors.js';
import { allocate, storageOf, Tensor } from '../tensor.js';
import { noGrad } from './mode.js';
import { activeProfile } from './profile.js';
import { recycle } from './recycle.js';
import { outsideScratch, releaseScratch } from './scratch.js';

/** Reverse topological order (outputs first) of the nodes reachable from root; iterative, so deep graphs are fine. */
function reverseTopo(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const child = inputs[i]!;
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

/**
 * Backpropagate from `root`. Gradients accumulate into `.grad` of leaf tensors that require grad.
 * The graph is freed afterwards unless retainGraph.
 */
export function runBackward(root: Tensor, grad?: Tensor, retainGraph = false): void {
  if (!root.requiresGrad)
    throw new ArgumentError('backward: tensor does not require grad (no graph behind it)');
  let seed: Storage;
  if (grad === undefined) {
    if (root.size !== 1)
      throw new ShapeError(
        `backward: implicit gradient needs a single-element tensor, got ${fmtShape(root.shape)}`,
      );
    seed = allocate(root.dtype, 1, false);
    getBackend().fill(seed, 1);
  } else {
    if (grad.size !== root.size)
      throw new ShapeError(
        `backward: gradient shape ${fmtShape(grad.shape)} does not match tensor ${fmtShape(root.shape)}`,
      );
    if (grad.dtype !== root.dtype)
      throw new ArgumentError(`backward: gradient dtype ${grad.dtype} != ${root.dtype}`);
    seed = storageOf(grad);
  }
  const order = reverseTopo(root);
  const grads = new Map<Tensor, Storage>([[root, seed]]);
  // Buffers of the gradient arrays the engine may recycle (fresh from a closure, or handed on by one),
  // with how many entries of `grads` hold each. An entry holding a buffer alone may sum into it in place;
  // the last entry to let go recycles it. The seed and anything else untracked is never mutated.
  const holds = new Map<object, number>();
  const be = getBackend();
  const letGo = (a: Storage) => {
    const n = holds.get(a.buffer);
    if (n === undefined) return;
    if (n > 1) holds.set(a.buffer, n - 1);
    else {
      holds.delete(a.buffer);
      recycle(
        isDeviceArray(a) || a.byteLength === a.buffer.byteLength
          ? a
          : new (a.constructor as Float32ArrayConstructor)(a.buffer),
      );
    }
  };
  const alone = (a: Storage) => holds.get(a.buffer) === 1;
  /** Sum g into t's pending gradient (g's hold then ends), or make g that gradient. */
  const accumulate = (t: Tensor, g: Storage): void => {
    const prev = grads.get(t);
    if (prev === undefined) {
      grads.set(t, g);
      return;
    }
    let dst = prev;
    if (!alone(prev)) {
      dst = allocate(t.dtype, prev.length, false);
      be.copy(dst, prev);
      letGo(prev);
      holds.set(dst.buffer, 1);
      grads.set(t, dst);
    }
    be.accumulate(dst, g);
    letGo(g);
  };
  const step = () => {
    for (const t of order) {
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = t.gradFn;
      if (node === null) {
        // A leaf: accumulate into .grad so micro-batch gradient accumulation works.
        if (t.grad === null && alone(g) && (isDeviceArray(g) || g.byteLength === g.buffer.byteLength)) {
          holds.delete(g.buffer); // the leaf's .grad keeps it
          t.grad = new Tensor(g, t.shape);
        } else {
          if (t.grad === null) {
            const copy = allocate(t.dtype, g.length, false);
            be.copy(copy, g);
            t.grad = new Tensor(copy, t.shape);
          } else be.accumulate(storageOf(t.grad), g);
          letGo(g);
        }
        continue;
      }
      if (node.backward === null)
        throw new ArgumentError(
          `backward: the graph through '${node.op}' was already freed; pass { retainGraph: true } to the first backward`,
        );
      const profile = activeProfile();
      const t0 = profile === null ? 0 : profile.backwardStart();
      const ins = node.backward(g);
      if (profile !== null) profile.backwardDone(t, node.op, node.inputs, t0);
      // Count the new holders first, so that g outlives this entry's hold when a closure hands it on.
      const taken: [Tensor, Storage][] = [];
      for (let i = 0; i < node.inputs.length; i++) {
        const x = node.inputs[i]!;
        const gi = ins[i];
        if (!x.requiresGrad || gi === null || gi === undefined) continue;
        if (gi.length !== x.size)
          throw new ShapeError(
            `backward: '${node.op}' returned a gradient of ${gi.length} elements for input ${fmtShape(x.shape)}`,
          );
        taken.push([x, gi]);
        const n = holds.get(gi.buffer);
        if (n !== undefined) holds.set(gi.buffer, n + 1);
        else if (gi.buffer !== g.buffer) holds.set(gi.buffer, 1); // fresh from the closure
      }
      letGo(g);
      for (const [x, gi] of taken) accumulate(x, gi);
      if (!retainGraph) {
        node.backward = null;
        node.inputs = [];
      }
    }
    // Only now is every closure that could read a scratch intermediate gone (a node no gradient reached
    // keeps its closure, and so its scratch).
    if (!retainGraph) for (const t of order) if (t.gradFn?.backward === null) releaseScratch(t.gradFn);
  };
  noGrad(() => outsideScratch(step));
}
