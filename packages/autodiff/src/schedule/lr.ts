/**
 * Learning-rate schedules as pure functions of a step counter t (an epoch index when the rate is set
 * once per epoch, as PSTL does, or an iteration index; fractional t = step / stepsPerEpoch also works).
 */

export interface LrSchedule {
  /** Learning rate at step t (t >= 0). */
  lrAt(t: number): number;
}

function checkNonNegative(what: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${what} must be a finite number >= 0, got ${v}`);
}

function checkStep(t: number): void {
  if (!(Number.isFinite(t) && t >= 0))
    throw new RangeError(`lrAt: step must be a finite number >= 0, got ${t}`);
}

export function constantLr(lr: number): LrSchedule {
  checkNonNegative('constantLr: lr', lr);
  return {
    lrAt(t) {
      checkStep(t);
      return lr;
    },
  };
}

export interface StepLrOptions {
  base: number;
  /** Multiply by gamma every `stepSize` steps (PyTorch StepLR)... */
  stepSize?: number;
  /** ...or at each of these milestones (PyTorch MultiStepLR, and the st-gcn code's `step` list). */
  milestones?: readonly number[];
  gamma?: number;
}

/** base * gamma^(number of boundaries passed); boundaries every stepSize steps or at the milestones. */
export function stepLr(opts: StepLrOptions): LrSchedule {
  const gamma = opts.gamma ?? 0.1;
  checkNonNegative('stepLr: base', opts.base);
  checkNonNegative('stepLr: gamma', gamma);
  if ((opts.stepSize === undefined) === (opts.milestones === undefined))
    throw new RangeError('stepLr: give exactly one of stepSize and milestones');
  if (opts.stepSize !== undefined && !(Number.isInteger(opts.stepSize) && opts.stepSize > 0))
    throw new RangeError(`stepLr: stepSize must be a positive integer, got ${opts.stepSize}`);
  const milestones = [...(opts.milestones ?? [])];
  for (let i = 1; i < milestones.length; i++)
    if (!(milestones[i]! > milestones[i - 1]!))
      throw new RangeError(`stepLr: milestones must increase, got [${milestones.join(', ')}]`);
  return {
    lrAt(t) {
      checkStep(t);
      const passed =
        opts.stepSize !== undefined ? Math.floor(t / opts.stepSize) : milestones.filter((m) => t >= m).length;
      return opts.base * gamma ** passed;
    },
  };
}

export interface WarmupCosineOptions {
  base: number;
  /** Length of the linear warm-up (0 for none). */
  warmup: number;
  /** Total length; the cosine reaches `floor` at t = total. */
  total: number;
  /** Final learning rate (default 0). */
  floor?: number;
  /**
   * Warm-up starting rate as a fraction of base (default 0): lr = base * (s + (1 - s) * t / warmup).
   * With s = 0 this is the MAE/PSTL lr_sched formula; note that with the rate set once per epoch it makes
   * epoch 0 run at lr 0, so per-epoch callers may prefer s = 1 / warmup.
   */
  warmupStartFactor?: number;
}

/**
 * Linear warm-up from base * startFactor to base over `warmup` steps, then a half cosine from base to
 * floor over the remaining total - warmup steps; constant at floor after `total`.
 */
export function warmupCosineLr(opts: WarmupCosineOptions): LrSchedule {
  const { base, warmup, total } = opts;
  const floor = opts.floor ?? 0;
  const s = opts.warmupStartFactor ?? 0;
  checkNonNegative('warmupCosineLr: base', base);
  checkNonNegative('warmupCosineLr: floor', floor);
  checkNonNegative('warmupCosineLr: warmup', warmup);
  if (!(Number.isFinite(total) && total > warmup))
    throw new RangeError(`warmupCosineLr: total (${total}) must exceed warmup (${warmup})`);
  if (!(s >= 0 && s <= 1))
    throw new RangeError(`warmupCosineLr: warmupStartFactor must lie in [0, 1], got ${s}`);
  return {
    lrAt(t) {
      checkStep(t);
      if (t < warmup) return base * (s + ((1 - s) * t) / warmup);
      if (t >= total) return floor;
      const progress = (t - warmup) / (total - warmup);
      return floor + (base - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    },
  };
}

/** Cosine from base to floor over `total` steps without warm-up (PyTorch CosineAnnealingLR, eta_min = floor). */
export function cosineLr(base: number, total: number, floor = 0): LrSchedule {
  return warmupCosineLr({ base, warmup: 0, total, floor });
}

/** Anything with a settable learning rate (every optimiser here). */
export interface HasLr {
  lr: number;
}

/**
 * Drives an optimiser's lr from a schedule. Like PyTorch schedulers: construction sets lrAt(0);
 * each step() advances the counter and sets the next rate. Call step() once per epoch or once per
 * iteration, matching the unit the schedule was built in.
 */
export class LrScheduler {
  private t = 0;

  constructor(
    readonly optimizer: HasLr,
    readonly schedule: LrSchedule,
    start = 0,
  ) {
    this.setStep(start);
  }

  /** The current step counter. */
  get current(): number {
    return this.t;
  }

  step(): number {
    return this.setStep(this.t + 1);
  }

  /** Jump to step t (e.g. when resuming) and apply its rate; returns the rate. */
  setStep(t: number): number {
    const lr = this.schedule.lrAt(t);
    this.t = t;
    this.optimizer.lr = lr;
    return lr;
  }

  stateDict(): { step: number } {
    return { step: this.t };
  }

  loadStateDict(state: { step: number }): void {
    this.setStep(state.step);
  }
}
