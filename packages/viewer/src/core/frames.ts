/** Playback clock: which frame to show after some elapsed time, looping over the clip. */

export interface Playback {
  frame: number;
  frames: number;
  playing: boolean;
  /** Frames per second (NTU is captured at 30). */
  fps: number;
  /** Time carried over between ticks, ms (less than one frame). */
  carryMs: number;
}

export function playback(frames: number, fps = 30): Playback {
  if (!Number.isInteger(frames) || frames < 1)
    throw new RangeError(`playback: frames must be a positive integer, got ${frames}`);
  return { frame: 0, frames, playing: false, fps, carryMs: 0 };
}

/** Advance by `elapsedMs` of wall time; paused playback does not move. */
export function tick(p: Playback, elapsedMs: number): Playback {
  if (!p.playing || !(elapsedMs > 0)) return p;
  const perFrame = 1000 / p.fps;
  const total = p.carryMs + elapsedMs;
  // The epsilon keeps 100 ms at 30 fps three frames, not 2.999...
  const steps = Math.floor(total / perFrame + 1e-9);
  return { ...p, frame: (p.frame + steps) % p.frames, carryMs: Math.max(0, total - steps * perFrame) };
}

/** Jump to a frame (the scrub slider); out-of-range or fractional values are clamped and rounded. */
export function seek(p: Playback, frame: number): Playback {
  const f = Number.isFinite(frame) ? Math.round(frame) : 0;
  return { ...p, frame: Math.max(0, Math.min(p.frames - 1, f)), carryMs: 0 };
}

/** Step by whole frames (arrow keys), wrapping around. */
export function step(p: Playback, by: number): Playback {
  const n = p.frames;
  return { ...p, frame: (((p.frame + Math.trunc(by)) % n) + n) % n, carryMs: 0 };
}

export function setPlaying(p: Playback, playing: boolean): Playback {
  return { ...p, playing, carryMs: 0 };
}
