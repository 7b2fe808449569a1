import { quote, SkeletonParseError } from '../errors.js';

// Decimal numbers only, as Python's float() reads them minus nan/inf (hex, '1_0', '' are rejected).
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact doubles up to 1e22

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13); // space, \t \n \v \f \r (Python's str.split() set, ASCII)
}

/**
 * Walks a text line by line without splitting the whole file (a .skeleton file is ~10^4 lines).
 * `numbers` parses a line of decimal numbers straight from the character codes (the hot path);
 * `next` returns a line's tokens as strings.
 */
export class LineCursor {
  private pos = 0;
  private start = 0;
  private end = 0;
  /** 1-based number of the current line (the one last read). */
  line = 0;

  constructor(
    private readonly text: string,
    readonly file: string,
  ) {}

  /** Move to the next line; false at the end of the text. */
  advance(): boolean {
    if (this.pos >= this.text.length) return false;
    let end = this.text.indexOf('\n', this.pos);
    if (end < 0) end = this.text.length;
    this.start = this.pos;
    this.end = end;
    this.pos = end + 1;
    this.line++;
    return true;
  }

  /** Tokens of the current line. */
  tokens(): string[] {
    const t = this.text.slice(this.start, this.end).trim();
    return t === '' ? [] : t.split(/[ \t\n\v\f\r]+/);
  }

  /** Tokens of the next line, or undefined at the end of the text. */
  next(): string[] | undefined {
    return this.advance() ? this.tokens() : undefined;
  }

  /** The next line, which must hold exactly `count` tokens. */
  expectLine(count: number, what: string): string[] {
    if (!this.advance()) throw this.truncated(count, what);
    const tokens = this.tokens();
    if (tokens.length !== count) throw this.countError(tokens, count, what);
    return tokens;
  }

  /**
   * Parse the next line as exactly out.length finite decimal numbers into `out`.
   * `field(k)` names token k in errors.
   */
  numbers(out: Float64Array, what: string, field: (k: number) => string): void {
    if (!this.advance()) throw this.truncated(out.length, what);
    this.numbersOfLine(out, what, field);
  }

  /** Like `numbers`, on the current line. */
  numbersOfLine(out: Float64Array, what: string, field: (k: number) => string): void {
    const text = this.text;
    let i = this.start;
    let k = 0;
    let bad = -1;
    let badText = '';
    for (;;) {
      while (i < this.end && isSpace(text.charCodeAt(i))) i++;
      if (i >= this.end) break;
      const a = i;
      while (i < this.end && !isSpace(text.charCodeAt(i))) i++;
      if (k < out.length) {
        const v = parseDecimal(text, a, i);
        if (Number.isNaN(v) && bad < 0) {
          bad = k;
          badText = text.slice(a, i);
        }
        out[k] = v;
      }
      k++;
    }
    // A wrong count (e.g. a line cut short) is the more useful message, so it is checked first.
    if (k !== out.length) throw this.countError(this.tokens(), out.length, what);
    if (bad >= 0)
      throw new SkeletonParseError(this.file, this.line, field(bad), 'a finite number', quote(badText));
  }

  /** Error for token k of the current line when its value is out of a range. */
  rangeError(field: string, expected: string, value: number): SkeletonParseError {
    return new SkeletonParseError(this.file, this.line, field, expected, quote(String(value)));
  }

  /** True when the current line holds only whitespace. */
  blank(): boolean {
    for (let i = this.start; i < this.end; i++) if (!isSpace(this.text.charCodeAt(i))) return false;
    return true;
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
    if (!Number.isFinite(v))
      throw new SkeletonParseError(this.file, this.line, what, 'a finite number', quote(tok));
    return v;
  }

  /** Throws unless only blank lines remain. */
  expectEnd(what: string): void {
    while (this.advance()) {
      if (!this.blank())
        throw new SkeletonParseError(
          this.file,
          this.line,
          what,
          'end of file',
          `trailing data ${quote(this.tokens().join(' '))}`,
        );
    }
  }

  private truncated(count: number, what: string): SkeletonParseError {
    return new SkeletonParseError(this.file, this.line + 1, what, plural(count), 'end of file (truncated)');
  }

  private countError(tokens: string[], count: number, what: string): SkeletonParseError {
    return new SkeletonParseError(
      this.file,
      this.line,
      what,
      plural(count),
      tokens.length === 0 ? 'an empty line' : `${tokens.length}: ${quote(tokens.join(' '))}`,
    );
  }
}

function plural(count: number): string {
  return `${count} value${count === 1 ? '' : 's'}`;
}

/**
 * The finite decimal number in text[a, b), or NaN if it is not one (same grammar as NUMBER).
 * Up to 15 significant digits and a decimal exponent within +-22 are computed exactly as one
 * correctly rounded multiplication or division of two exact doubles (Clinger's fast path);
 * anything else goes through Number(), so the result always equals Number(token).
 */
export function parseDecimal(text: string, a: number, b: number): number {
  let i = a;
  let neg = false;
  let c = text.charCodeAt(i);
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
  }
  let mant = 0;
  let sig = 0; // significant digits accumulated in mant
  let scale = 0; // decimal exponent adjustment from digits after the point
  let digits = 0;
  let fast = true;
  for (; i < b; i++) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    digits++;
    if (mant !== 0 || c !== 48) {
      if (sig < 15) {
        mant = mant * 10 + (c - 48);
        sig++;
      } else fast = false;
    }
  }
  if (i < b && c === 46) {
    for (i++; i < b; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      digits++;
      if (mant !== 0 || c !== 48) {
        if (sig < 15) {
          mant = mant * 10 + (c - 48);
          sig++;
        } else fast = false;
      }
      scale--;
    }
  }
  if (digits === 0) return Number.NaN;
  let exp = 0;
  if (i < b && (c === 101 || c === 69)) {
    i++;
    let eneg = false;
    c = text.charCodeAt(i);
    if (i < b && (c === 43 || c === 45)) {
      eneg = c === 45;
      i++;
    }
    const e0 = i;
    for (; i < b; i++) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      if (exp < 1e6) exp = exp * 10 + (c - 48);
    }
    if (i === e0) return Number.NaN;
    if (eneg) exp = -exp;
  }
  if (i !== b) return Number.NaN;
  const e = exp + scale;
  let v: number;
  if (mant === 0) v = 0;
  else if (fast && e >= 0 && e <= 22) v = mant * POW10[e]!;
  else if (fast && e < 0 && e >= -22) v = mant / POW10[-e]!;
  else v = Math.abs(Number(text.slice(a, b)));
  if (!Number.isFinite(v)) return Number.NaN;
  return neg ? -v : v;
}
