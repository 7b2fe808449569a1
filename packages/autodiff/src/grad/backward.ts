import type { FloatArray } from '@asma/kernels';
import { ArgumentError, fmtShape, ShapeError } from '../ops/errors.js';
import { Tensor } from '../tensor.js';
import { noGrad } from './mode.js';
import { activeProfile } from './profile.js';
import { GradientPool, gradientRecycling, withPool } from './recycle.js';

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
  let seed: FloatArray;
  if (grad === undefined) {
    if (root.size !== 1)
      throw new ShapeError(
        `backward: implicit gradient needs a single-element tensor, got ${fmtShape(root.shape)}`,
      );
    seed = root.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]);
  } else {
    if (grad.size !== root.size)
      throw new ShapeError(
        `backward: gradient shape ${fmtShape(grad.shape)} does not match tensor ${fmtShape(root.shape)}`,
      );
    if (grad.dtype !== root.dtype)
      throw new ArgumentError(`backward: gradient dtype ${grad.dtype} != ${root.dtype}`);
    seed = grad.data;
  }
  const order = reverseTopo(root);
  const grads = new Map<Tensor, FloatArray>([[root, seed]]);
  // Arrays we allocated ourselves may be accumulated into in place; others (seed, arrays returned by closures
  // that alias their input) are copied first.
  const owned = new Set<FloatArray>();
  const pool = new GradientPool();
  const recycling = gradientRecycling();
  /** Sum g into t's gradient; true when g was summed into another array (so g itself is no longer needed). */
  const accumulate = (t: Tensor, g: FloatArray): boolean => {
    const prev = grads.get(t);
    if (prev === undefined) {
      grads.set(t, g);
      return false;
    }
    let dst = prev;
    if (!owned.has(prev)) {
      dst = prev.slice();
      owned.add(dst);
      grads.set(t, dst);
    }
    for (let i = 0; i < dst.length; i++) dst[i]! += g[i]!;
    return true;
  };
  const step = () => {
    for (const t of order) {
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      // Ownership of g ends here: closures may hand g itself to several inputs, which must then copy it.
      const mine = owned.delete(g);
      const node = t.gradFn;
      if (node === null) {
        // A leaf: accumulate into .grad so micro-batch gradient accumulation works.
        if (t.grad === null) t.grad = new Tensor(mine ? g : g.slice(), t.shape);
        else {
          const d = t.grad.data;
          for (let i = 0; i < d.length; i++) d[i]! += g[i]!;
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
      // g is dead once consumed if we owned it and the closure handed out neither g nor a view of it.
      let recycle = mine;
      for (const gi of ins) if (gi && gi.buffer === g.buffer) recycle = false;
      if (profile !== null) profile.backwardDone(t, node.op, node.inputs, t0);
      for (let i = 0; i < node.inputs.length; i++) {
        const x = node.inputs[i]!;
        const gi = ins[i];
        if (!x.requiresGrad || gi === null || gi === undefined) continue;
        // A fresh array (not g, not handed to another input) is ours to accumulate into in place.
        const fresh = gi.buffer !== g.buffer && ins.filter((o) => o?.buffer === gi.buffer).length === 1;
        if (fresh && !grads.has(x)) owned.add(gi);
        if (gi.length !== x.size)
          throw new ShapeError(
            `backward: '${node.op}' returned a gradient of ${gi.length} elements for input ${fmtShape(x.shape)}`,
          );
        // A fresh gradient summed into an existing one is dead at once.
        if (accumulate(x, gi) && fresh && recycling) pool.put(gi);
      }
      if (recycle && recycling) pool.put(g);
      if (!retainGraph) {
        node.backward = null;
        node.inputs = [];
      }
    }
  };
  noGrad(() => withPool(pool, step));
}
