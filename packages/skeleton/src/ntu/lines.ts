import { quote, SkeletonParseError } from '../errors.js';

// Decimal numbers only, as Python's float() reads them minus nan/inf (hex, '1_0', '' are rejected).
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Walks a text line by line without splitting the whole file (a .skeleton file is ~10^4 lines):
 * each call returns the whitespace-separated tokens of the next line and tracks the line number.
 */
export class LineCursor {
  private pos = 0;
  /** 1-based number of the line last returned by `next`. */
  line = 0;

  constructor(
    private readonly text: string,
    readonly file: string,
  ) {}

  /** Tokens of the next line, or undefined at the end of the text. */
  next(): string[] | undefined {
    if (this.pos >= this.text.length) return undefined;
    let end = this.text.indexOf('\n', this.pos);
    if (end < 0) end = this.text.length;
    const raw = this.text.slice(this.pos, end);
    this.pos = end + 1;
    this.line++;
    const t = raw.trim();
    return t === '' ? [] : t.split(/\s+/);
  }

  /** The next line, which must hold exactly `count` tokens. */
  expectLine(count: number, what: string): string[] {
    const tokens = this.next();
    if (tokens === undefined)
      throw new SkeletonParseError(this.file, this.line + 1, what, plural(count), 'end of file (truncated)');
    if (tokens.length !== count)
      throw new SkeletonParseError(
        this.file,
        this.line,
        what,
        plural(count),
        tokens.length === 0 ? 'an empty line' : `${tokens.length}: ${quote(tokens.join(' '))}`,
      );
    return tokens;
  }

  /** One line holding one integer in [min, max]. */
  expectInt(what: string, min: number, max: number): number {
    const [tok] = this.expectLine(1, what);
    return this.int(tok!, what, min, max);
  }

  int(tok: string, what: string, min: number, max: number): number {
    const v = NUMBER.test(tok) ? Number(tok) : Number.NaN;
    if (!Number.isInteger(v) || v < min || v > max)
      throw new SkeletonParseError(this.file, this.line, what, `an integer in ${min}..${max}`, quote(tok));
    return v;
  }

  num(tok: string, what: string): number {
    const v = NUMBER.test(tok) ? Number(tok) : Number.NaN;
    if (!Number.isFinite(v)) throw new SkeletonParseError(this.file, this.line, what, 'a finite number', quote(tok));
    return v;
  }

  /** Throws unless only blank lines remain. */
  expectEnd(what: string): void {
    for (;;) {
      const tokens = this.next();
      if (tokens === undefined) return;
      if (tokens.length > 0)
        throw new SkeletonParseError(this.file, this.line, what, 'end of file', `trailing data ${quote(tokens.join(' '))}`);
    }
  }
}

function plural(count: number): string {
  return `${count} value${count === 1 ? '' : 's'}`;
}
