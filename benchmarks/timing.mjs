/**
 * The benchmarks' one timing helper: the median they all report, and wall-clock samples of a call.
 * (The machine is shared and noisy, so every figure is a median, never a mean or a minimum.)
 */

/** The median of xs (the mean of the two middle values for an even count), or null for none. */
export function median(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Milliseconds of each of `reps` calls of fn, after `warmup` untimed calls (default none). */
export function sampleMs(fn, reps, warmup = 0) {
  for (let i = 0; i < warmup; i++) fn();
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** Median milliseconds of `reps` calls of fn, after `warmup` untimed calls. */
export function timeMs(fn, reps, warmup = 0) {
  return median(sampleMs(fn, reps, warmup));
}
