import { formatDuration, formatRate } from '../format.js';

export interface ProgressOptions {
  /** Label shown before the bar. */
  label?: string;
  /** Unit name for the rate ("samples", "files", ...). */
  unit?: string;
  /** Stream to draw on; defaults to stderr. Nothing is drawn when it is not a TTY unless `force`. */
  stream?: NodeJS.WriteStream;
  /** Draw even when the stream is not a TTY (one line per update, throttled). */
  force?: boolean;
  /** Minimum milliseconds between redraws. */
  intervalMs?: number;
  /** Disable all output. */
  silent?: boolean;
}

/** A terminal progress bar with rate and ETA. Cheap to call `tick` in a loop: it redraws at most every `intervalMs`. */
export class ProgressBar {
  private done = 0;
  private readonly start = Date.now();
  private lastDraw = 0;
  private extra = '';
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(
    private total: number,
    private readonly opts: ProgressOptions = {},
  ) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
  }

  /** Advance by `n` units and optionally replace the trailing status text (e.g. "loss 0.53"). */
  tick(n = 1, status?: string): void {
    this.done += n;
    if (status !== undefined) this.extra = status;
    const now = Date.now();
    if (now - this.lastDraw >= (this.opts.intervalMs ?? (this.tty ? 100 : 5000)) || this.done >= this.total) {
      this.lastDraw = now;
      this.draw();
    }
  }

  setTotal(total: number): void {
    this.total = total;
  }

  /** Units per second so far. */
  rate(): number {
    const s = (Date.now() - this.start) / 1000;
    return s > 0 ? this.done / s : 0;
  }

  /** Final line with the elapsed time. */
  finish(status?: string): void {
    if (status !== undefined) this.extra = status;
    this.draw();
    if (this.visible() && this.tty) this.stream.write('\n');
  }

  /**
   * A line that stays, e.g. one per epoch with its mean loss, followed by the progress, rate and
   * ETA. In a terminal it is printed above the bar, which is then redrawn. Elsewhere (nohup, SLURM,
   * CI), where the bar is not drawn, these lines are the whole output; they go through console.error
   * when the stream is the default stderr, so test runners capture them like other output.
   */
  line(text: string): void {
    if (this.opts.silent) return;
    const out = `${this.opts.label ? `${this.opts.label} ` : ''}${text} ${this.summary()}`;
    if (this.tty) {
      this.stream.write(`\r${out}\x1b[K\n`);
      if (this.done < this.total) this.draw();
    } else if (this.opts.stream) this.stream.write(`${out}\n`);
    else console.error(out);
  }

  /** "[120/400 samples, 35.2 samples/s, ETA 00:08]" */
  summary(): string {
    const rate = this.rate();
    const eta = rate > 0 ? (this.total - this.done) / rate : Number.NaN;
    const unit = this.opts.unit ?? 'it';
    return `[${this.done}/${this.total} ${unit}, ${formatRate(rate)} ${unit}/s, ETA ${formatDuration(eta)}]`;
  }

  /** The current line, without drawing it (for logs and tests). */
  render(width = 28): string {
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const filled = Math.round(frac * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const rate = this.rate();
    const eta = rate > 0 ? (this.total - this.done) / rate : Number.NaN;
    const label = this.opts.label ? `${this.opts.label} ` : '';
    const unit = this.opts.unit ?? 'it';
    const tail = this.extra ? ` ${this.extra}` : '';
    return `${label}[${bar}] ${this.done}/${this.total} ${formatRate(rate)} ${unit}/s ETA ${formatDuration(eta)}${tail}`;
  }

  private visible(): boolean {
    return !this.opts.silent && (this.tty || Boolean(this.opts.force));
  }

  private draw(): void {
    if (!this.visible()) return;
    this.stream.write(this.tty ? `\r${this.render()}\x1b[K` : `${this.render()}\n`);
  }
}
