/** A tensor had the wrong shape for an op; the message names the op and every shape involved. */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

/** An op argument (axis, permutation, index, option) was invalid; the message names the op and the value. */
export class ArgumentError extends Error {
  override name = 'ArgumentError';
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
