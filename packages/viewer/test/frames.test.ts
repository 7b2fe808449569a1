import { describe, expect, it } from 'vitest';
import { playback, seek, setPlaying, step, tick } from '../src/core/frames.js';

describe('playback', () => {
  it('does not move while paused', () => {
    expect(tick(playback(50), 1000).frame).toBe(0);
  });

  it('advances at fps and carries the remainder', () => {
    let p = setPlaying(playback(50, 30), true);
    p = tick(p, 50); // 1.5 frames
    expect(p.frame).toBe(1);
    p = tick(p, 50); // 1.5 more: 3 in total
    expect(p.frame).toBe(3);
  });

  it('loops at the end of the clip', () => {
    const p = tick(setPlaying(seek(playback(10, 10), 9), true), 250);
    expect(p.frame).toBe(1);
  });

  it('seek clamps and rounds; step wraps both ways', () => {
    const p = playback(10);
    expect(seek(p, 42).frame).toBe(9);
    expect(seek(p, -3).frame).toBe(0);
    expect(seek(p, 2.6).frame).toBe(3);
    expect(seek(p, Number.NaN).frame).toBe(0);
    expect(step(p, -1).frame).toBe(9);
    expect(step(seek(p, 9), 1).frame).toBe(0);
  });

  it('rejects an empty clip', () => {
    expect(() => playback(0)).toThrow(/positive integer/);
  });
});
