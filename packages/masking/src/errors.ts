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

/** Throw unless `value` is a non-negative integer. */
export function checkCount(value: number, option: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new MaskingConfigError(option, `must be a non-negative integer, got ${value}`);
  }
}
