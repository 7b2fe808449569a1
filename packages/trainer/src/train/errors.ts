/**
 * A loss, gradient, parameter or buffer became NaN or infinite; the message names the step, the
 * tensor, and the checkpoint a resume would start from (only when one was written).
 */
export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly tensor: string,
    detail: string,
    /** The intact checkpoint of an earlier epoch, or null when none was written yet. */
    readonly checkpoint: string | null = null,
  ) {
    super(
      `epoch ${epoch}, step ${step}: ${tensor} ${detail}; stopping ` +
        (checkpoint === null
          ? '(no checkpoint written yet)'
          : `(the last checkpoint, ${checkpoint}, is intact)`),
    );
  }
}

/** A checkpoint to resume from was written by a different run configuration. */
export class ResumeError extends Error {
  override name = 'ResumeError';
}
