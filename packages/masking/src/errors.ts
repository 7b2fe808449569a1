/**
 * A masking option that cannot work (negative count, more joints than exist, every frame removed,
 * bad weights). `option` names the offending field, e.g. 'spatial.draws' or 'temporal.randomDrops'.
 */
export class MaskingConfigError extends RangeError {
  override name = 'MaskingConfigError';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

/**
 * A clip's motion energy is NaN or Infinity (a non-finite or overflowing coordinate). `clip` is the
 * index within the batch; the training loop, which knows the batch's clips, names the file's clip.
 */
export class NonFiniteEnergyError extends MaskingConfigError {
  override name = 'NonFiniteEnergyError';
  constructor(
    readonly clip: number,
    readonly frame: number,
    readonly value: number,
  ) {
    super(
      'energy',
      `clip ${clip} frame ${frame} is ${value} (clip of the batch; NaN or Infinity in the batch?)`,
    );
  }
}

/** Throw unless `value` is a non-negative integer. */
export function checkCount(value: number, option: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new MaskingConfigError(option, `must be a non-negative integer, got ${value}`);
  }
}
