/**
 * Opt-in per-op timing. While an `OpProfile` is active (`profileOps`), `record` reports each op as its
 * output is ready (forward time = time since the previous op finished, so glue code between ops is
 * charged to the next op) and backward times each node's closure. When no profile is active the
 * only cost is one null check per op and per backward node.
 */
import type { Tensor } from '../tensor.js';

/** Accumulated milliseconds and call counts of one op kind. */
export interface OpTimes {
  forwardMs: number;
  forwardCalls: number;
  backwardMs: number;
  backwardCalls: number;
}

/**
 * Names an op for the table; default: the op name. `inputs` are the op's tensors (look at shapes only),
 * `scope` the innermost `OpProfile.scoped` label ('' outside any).
 */
export type OpKey = (op: string, inputs: readonly Tensor[], scope: string) => string;

export class OpProfile {
  readonly rows = new Map<string, OpTimes>();
  private last = 0;
  private inBackward = false;
  private readonly scopes: string[] = [];
  /** Each recorded output's row key, so backward charges the same row (scopes are gone by then). */
  private readonly keys = new WeakMap<Tensor, string>();

  constructor(readonly key: OpKey = (op) => op) {}

  /** Run fn with ops labelled `scope` (e.g. wrap a sub-module's forward). */
  scoped<T>(scope: string, fn: () => T): T {
    this.scopes.push(scope);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** Start the forward clock (call right before a forward pass, so idle time is not charged to its first op). */
  mark(): void {
    this.last = performance.now();
  }

  /** Called by `record` when an op's output is ready. */
  forwardDone(op: string, out: Tensor, inputs: readonly Tensor[]): void {
    if (this.inBackward) return; // ops run inside a backward closure are part of that closure's time
    const now = performance.now();
    const key = this.key(op, inputs, this.scopes[this.scopes.length - 1] ?? '');
    this.keys.set(out, key);
    const row = this.row(key);
    row.forwardMs += now - this.last;
    row.forwardCalls++;
    this.last = now;
  }

  /** Called by backward around each node's closure. */
  backwardStart(): number {
    this.inBackward = true;
    return performance.now();
  }

  backwardDone(out: Tensor, op: string, inputs: readonly Tensor[], start: number): void {
    const row = this.row(this.keys.get(out) ?? this.key(op, inputs, ''));
    row.backwardMs += performance.now() - start;
    row.backwardCalls++;
    this.inBackward = false;
  }

  reset(): void {
    this.rows.clear();
  }

  private row(key: string): OpTimes {
    let r = this.rows.get(key);
    if (r === undefined) {
      r = { forwardMs: 0, forwardCalls: 0, backwardMs: 0, backwardCalls: 0 };
      this.rows.set(key, r);
    }
    return r;
  }
}

let active: OpProfile | null = null;

/** The profile ops report to, or null (the default: no timing). */
export function activeProfile(): OpProfile | null {
  return active;
}

/** Run fn with `profile` collecting op times (nested calls restore the outer profile). */
export function profileOps<T>(profile: OpProfile, fn: () => T): T {
  const prev = active;
  active = profile;
  try {
    return fn();
  } finally {
    active = prev;
  }
}
