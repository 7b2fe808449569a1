/**
 * A/B of one kernel call with a path switch on and off (setWinograd, setDirectConv, ...), in this
 * process, interleaved over rounds so machine load hits both alike: the median ms of each side.
 */
import { median, timeMs as medianMs } from '../timing.mjs';

/** Median ms of `reps` calls of f after one warm-up call. */
export function timeMs(f, reps = 5) {
  return medianMs(f, reps, 1);
}

/** { on, off }: medians over `rounds` interleaved rounds of timeMs(run) with setPath(true / false). */
export function toggleAb(setPath, run, rounds = 3) {
  const ms = { on: [], off: [] };
  for (let r = 0; r < rounds; r++)
    for (const on of [true, false]) {
      setPath(on);
      ms[on ? 'on' : 'off'].push(timeMs(run));
    }
  setPath(true);
  return { on: median(ms.on), off: median(ms.off) };
}
