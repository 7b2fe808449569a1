/**
 * Plain feature matrices (Float32Array, N*D row-major) with Int32Array labels: the input checks shared by the
 * linear probe and the alignment trainer, and row gathering into tensors.
 */
import { type DType, Tensor } from '@asma/autodiff';

/** Bad features, labels or options; the message names the field and what was expected. */
export class FeatureInputError extends Error {
  override name = 'FeatureInputError';
}

/** classes must be an integer >= 2 (one class is no classification problem). */
export function checkClasses(where: string, classes: number): void {
  if (!Number.isInteger(classes) || classes < 2)
    throw new FeatureInputError(`${where}: classes must be an integer >= 2, got ${classes}`);
}

/** Every label an integer in [0, classes); returns them as an Int32Array. */
export function checkLabels(
  where: string,
  field: string,
  labels: ArrayLike<number>,
  classes: number,
): Int32Array {
  if (labels.length === 0) throw new FeatureInputError(`${where}: ${field} must not be empty`);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= classes)
      throw new FeatureInputError(
        `${where}: ${field}[${i}] = ${l} is not a class index in [0, ${classes}) (classes = ${classes})`,
      );
  }
  return labels instanceof Int32Array ? labels : Int32Array.from(labels);
}

/**
 * Checks that `features` holds rows * dim finite numbers and returns dim. When dim is not given it is
 * inferred as features.length / rows, which must be a positive integer.
 */
export function checkFeatures(
  where: string,
  field: string,
  features: ArrayLike<number>,
  rows: number,
  dim?: number,
): number {
  if (dim !== undefined && !(Number.isInteger(dim) && dim >= 1))
    throw new FeatureInputError(`${where}: dim must be a positive integer, got ${dim}`);
  const d = dim ?? features.length / rows;
  if (!(Number.isInteger(d) && d >= 1) || features.length !== rows * d)
    throw new FeatureInputError(
      dim === undefined
        ? `${where}: ${field} has ${features.length} values, expected a positive multiple of the ${rows} labels (N*D)`
        : `${where}: ${field} has ${features.length} values, expected N*D = ${rows}*${dim} = ${rows * dim}`,
    );
  for (let i = 0; i < features.length; i++)
    if (!Number.isFinite(features[i]!))
      throw new FeatureInputError(
        `${where}: ${field} has a non-finite value ${features[i]} at row ${Math.floor(i / d)}, column ${i % d}`,
      );
  return d;
}

/** A positive integer option (epochs, batchSize, ...). */
export function checkPositiveInt(where: string, field: string, v: number): void {
  if (!(Number.isInteger(v) && v >= 1))
    throw new FeatureInputError(`${where}: ${field} must be a positive integer, got ${v}`);
}

/** A finite number >= 0 option (lr, weightDecay). */
export function checkNonNegative(where: string, field: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0))
    throw new FeatureInputError(`${where}: ${field} must be a finite number >= 0, got ${v}`);
}

/** Rows `rows` of an (N, dim) matrix as a (rows.length, dim) tensor (no gradient). */
export function gatherRows(
  features: ArrayLike<number>,
  dim: number,
  rows: ArrayLike<number>,
  dtype: DType = 'float32',
): Tensor {
  const out = dtype === 'float64' ? new Float64Array(rows.length * dim) : new Float32Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) {
    const src = rows[i]! * dim;
    for (let j = 0; j < dim; j++) out[i * dim + j] = features[src + j]!;
  }
  return new Tensor(out, [rows.length, dim]);
}

/** `order` split into consecutive chunks of at most `size` indices (the last may be shorter). */
export function* chunks(order: ArrayLike<number>, size: number): Generator<Int32Array> {
  for (let start = 0; start < order.length; start += size) {
    const end = Math.min(order.length, start + size);
    const rows = new Int32Array(end - start);
    for (let i = start; i < end; i++) rows[i - start] = order[i]!;
    yield rows;
  }
}
