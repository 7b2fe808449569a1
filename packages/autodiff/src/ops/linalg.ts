/** Matrix multiplication with PyTorch semantics (1-D promotion, batched, broadcast batch dims) on the active backend. */
import { getBackend } from '@asma/kernels';
import { record } from '../grad/tape.js';
import { allocate, assertSameDtype, shapeSize, storageOf, Tensor } from '../tensor.js';
import { fmtShape, ShapeError } from './errors.js';
import { broadcastShapes, expandData, reduceToShape, sameShape } from './strided.js';

export function matmul(a: Tensor, b: Tensor): Tensor {
  assertSameDtype('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0)
    throw new ShapeError(
      `matmul: cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)}: both operands need at least 1 dimension`,
    );
  // Promote 1-D operands to matrices as torch.matmul does, and remember which axes to drop afterwards.
  const aShape = a.ndim === 1 ? [1, a.shape[0]!] : [...a.shape];
  const bShape = b.ndim === 1 ? [b.shape[0]!, 1] : [...b.shape];
  const m = aShape[aShape.length - 2]!;
  const k = aShape[aShape.length - 1]!;
  const k2 = bShape[bShape.length - 2]!;
  const n = bShape[bShape.length - 1]!;
  if (k !== k2)
    throw new ShapeError(
      `matmul: cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)}: inner dimensions ${k} and ${k2} differ`,
    );
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  let batchShape: number[];
  try {
    batchShape = broadcastShapes('matmul', aBatch, bBatch);
  } catch {
    throw new ShapeError(
      `matmul: cannot multiply ${fmtShape(a.shape)} by ${fmtShape(b.shape)}: batch dimensions do not broadcast`,
    );
  }
  const batch = shapeSize(batchShape);
  const alloc = (len: number) => allocate(a.dtype, len);
  // An operand whose batch is the full batch is read in place, one that has a single matrix is broadcast with
  // stride 0; only partial broadcasts are materialised.
  const aFull = [...batchShape, m, k];
  const bFull = [...batchShape, k, n];
  const aSingle = shapeSize(aBatch) === 1;
  const bSingle = shapeSize(bBatch) === 1;
  const as = storageOf(a);
  const bs = storageOf(b);
  const aData = aSingle || sameShape(aBatch, batchShape) ? as : expandData(as, aShape, aFull, alloc);
  const bData = bSingle || sameShape(bBatch, batchShape) ? bs : expandData(bs, bShape, bFull, alloc);
  const strideA = aSingle ? 0 : m * k;
  const strideB = bSingle ? 0 : k * n;
  const outShape = [...batchShape];
  if (a.ndim > 1) outShape.push(m);
  if (b.ndim > 1) outShape.push(n);
  const out = new Tensor(alloc(batch * m * n), outShape);
  getBackend().matmul(out.storage, aData, bData, { batch, m, k, n, strideA, strideB });
  return record(out, 'matmul', [a, b], (g) => {
    const be = getBackend();
    let ga = null;
    let gb = null;
    if (a.requiresGrad) {
      // dA = dY @ B^T per batch, then summed over batch axes a was broadcast along.
      const full = alloc(batch * m * k);
      be.matmul(full, g, bData, { batch, m, k: n, n: k, transB: true, strideB });
      ga = reduceToShape(full, aFull, aShape, alloc);
    }
    if (b.requiresGrad) {
      // dB = A^T @ dY per batch.
      const full = alloc(batch * k * n);
      be.matmul(full, aData, g, { batch, m: k, k: m, n, transA: true, strideA });
      gb = reduceToShape(full, bFull, bShape, alloc);
    }
    return [ga, gb];
  });
}

/**
 * torch.nn.functional.linear: y = x @ weight^T + bias for x (..., in), weight (out, in), bias (out) or null.
 * Uses the backend's transposed-operand matmul, so the weight is never copied or transposed.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  assertSameDtype('linear', x, weight);
  if (weight.ndim !== 2)
    throw new ShapeError(`linear: weight must be (out, in), got ${fmtShape(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF)
    throw new ShapeError(
      `linear: input ${fmtShape(x.shape)} does not end in ${inF} features as weight ${fmtShape(weight.shape)} expects`,
    );
  if (bias !== null) {
    assertSameDtype('linear', x, bias);
    if (bias.ndim !== 1 || bias.shape[0] !== outF)
      throw new ShapeError(
        `linear: bias must be [${outF}] for weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`,
      );
  }
  const rows = x.size / inF;
  const outShape = [...x.shape.slice(0, -1), outF];
  const be = getBackend();
  const out = new Tensor(allocate(x.dtype, rows * outF), outShape);
  const y = out.storage;
  const xs = storageOf(x);
  const ws = storageOf(weight);
  if (bias !== null) be.repeatRows(y, storageOf(bias), rows);
  be.matmul(y, xs, ws, {
    batch: 1,
    m: rows,
    k: inF,
    n: outF,
    transB: true,
    accumulate: bias !== null,
  });
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record(out, 'linear', inputs, (g) => {
    let gx = null;
    let gw = null;
    let gb = null;
    if (x.requiresGrad) {
      // dX (rows, in) = dY (rows, out) @ W (out, in).
      gx = allocate(x.dtype, x.size);
      be.matmul(gx, g, ws, { batch: 1, m: rows, k: outF, n: inF });
    }
    if (weight.requiresGrad) {
      // dW (out, in) = dY^T (out, rows) @ X (rows, in).
      gw = allocate(x.dtype, weight.size);
      be.matmul(gw, g, xs, { batch: 1, m: outF, k: rows, n: inF, transA: true });
    }
    if (bias?.requiresGrad) {
      // Summed over rows in float64, rounded once.
      gb = allocate(x.dtype, outF, false);
      be.reduceSum(gb, g, [rows, outF], [0, 1]);
    }
    return bias === null ? [gx, gw] : [gx, gw, gb];
  });
}
