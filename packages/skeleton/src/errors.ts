/**
 * Typed errors of the dataset readers. Every message names the file, the 1-based line and the
 * field, e.g. `S001C001P001R001A001.skeleton:5: joint 3 field 'z': expected a finite number, got 'abc'`.
 */
export class SkeletonParseError extends Error {
  override name = 'SkeletonParseError';
  constructor(
    readonly file: string,
    /** 1-based line number; 0 when the error concerns the file as a whole (e.g. its name). */
    readonly line: number,
    readonly field: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${file}${line > 0 ? `:${line}` : ''}: ${field}: expected ${expected}, got ${actual}`);
  }
}

/** A file that is well formed but holds no usable skeleton (0 frames, or no body in any frame). */
export class SkeletonEmptyError extends SkeletonParseError {
  override name = 'SkeletonEmptyError';
}

/** Show a token in an error message: quoted and shortened. */
export function quote(token: string | undefined): string {
  if (token === undefined) return 'end of file';
  const t = token.length > 40 ? `${token.slice(0, 37)}...` : token;
  return `'${t}'`;
}
