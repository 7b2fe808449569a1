/** A loss or gradient became NaN or infinite; the message names the step and the tensor. */
export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly tensor: string,
    detail: string,
  ) {
    super(`epoch ${epoch}, step ${step}: ${tensor} ${detail}; stopping (the last checkpoint is intact)`);
  }
}

/** A checkpoint to resume from was written by a different run configuration. */
export class ResumeError extends Error {
  override name = 'ResumeError';
}
