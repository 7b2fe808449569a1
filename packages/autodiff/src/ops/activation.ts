/** Activations and (log-)softmax. */

import { getBackend } from '@asma/kernels';
import { record } from '../grad/tape.js';
import { allocate, shapeSize, storageOf, Tensor } from '../tensor.js';
import { add, unary } from './elementwise.js';
import { normAxis } from './strided.js';

// The ReLU kernels write their outputs whole: no zeroing (allocate(..., false)).
export function relu(a: Tensor): Tensor {
  const be = getBackend();
  const x = storageOf(a);
  const out = new Tensor(allocate(a.dtype, a.size, false), a.shape);
  be.reluMask(out.storage, x, x);
  return record(out, 'relu', [a], (g) => {
    const gx = allocate(a.dtype, a.size, false);
    be.reluMask(gx, g, x);
    return [gx];
  });
}

/**
 * relu(a + b) as one op for same-shape inputs (the residual tail of an ST-GCN block): the backward masks
 * the gradient once for both inputs. Bit-identical to relu(add(a, b)), with one array and one pass
 * fewer; other shapes take exactly that composition.
 */
export function addRelu(a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    return relu(add(a, b));
  const be = getBackend();
  const out = new Tensor(allocate(a.dtype, a.size, false), a.shape);
  const o = out.storage;
  be.addRelu(o, storageOf(a), storageOf(b));
  return record(out, 'addRelu', [a, b], (g) => {
    const gm = allocate(a.dtype, a.size, false);
    be.reluMask(gm, g, o);
    return [a.requiresGrad ? gm : null, b.requiresGrad ? gm : null];
  });
}

export function leakyRelu(a: Tensor, slope = 0.01): Tensor {
  return unary('leakyRelu', 'leakyRelu', a, slope);
}

export function sigmoid(a: Tensor): Tensor {
  return unary('sigmoid', 'sigmoid', a);
}

export function tanh(a: Tensor): Tensor {
  return unary('tanh', 'tanh', a);
}

/** erf (re-exported from the kernels, where GELU's CPU kernel uses it). */
export { erf } from '@asma/kernels';

/** GELU, exact (erf) form like torch's default. */
export function gelu(a: Tensor): Tensor {
  return unary('gelu', 'gelu', a);
}

/** Softmax or log-softmax along `axis` through the backend's lane kernel. */
function softmaxOp(name: string, a: Tensor, axis: number, log: boolean): Tensor {
  const ax = normAxis(name, axis, a.ndim);
  const args = {
    outer: shapeSize(a.shape.slice(0, ax)),
    n: a.shape[ax]!,
    inner: shapeSize(a.shape.slice(ax + 1)),
    log,
  };
  const be = getBackend();
  const out = new Tensor(allocate(a.dtype, a.size, false), a.shape);
  be.softmax(out.storage, storageOf(a), args);
  return record(out, name, [a], (g) => {
    const gx = allocate(a.dtype, a.size, false);
    be.softmaxGrad(gx, g, out.storage, args);
    return [gx];
  });
}

/** Numerically stable softmax along `axis` (default last). */
export function softmax(a: Tensor, axis = -1): Tensor {
  return softmaxOp('softmax', a, axis, false);
}

/** Numerically stable log-softmax along `axis` (default last). */
export function logSoftmax(a: Tensor, axis = -1): Tensor {
  return softmaxOp('logSoftmax', a, axis, true);
}
