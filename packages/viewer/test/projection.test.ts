import { describe, expect, it } from 'vitest';
import { defaultCamera, MAX_DISTANCE, MIN_DISTANCE, orbit, project, zoom } from '../src/core/projection.js';

const cam = { ...defaultCamera([0, 0, 0]), yaw: 0, pitch: 0, distance: 2, fov: Math.PI / 2 };

describe('project', () => {
  it('puts the target at the canvas centre', () => {
    const p = project([0, 0, 0], cam, 200, 100);
    expect(p.x).toBeCloseTo(100);
    expect(p.y).toBeCloseTo(50);
    expect(p.depth).toBeCloseTo(2);
  });

  it('maps +x right and +y up with pinhole scaling f = h / 2 / tan(fov / 2)', () => {
    // fov 90 degrees: f = 50 px for a 100 px tall canvas; a point 1 m right at depth 2 is 25 px right.
    const right = project([1, 0, 0], cam, 200, 100);
    expect(right.x).toBeCloseTo(125);
    const up = project([0, 1, 0], cam, 200, 100);
    expect(up.y).toBeCloseTo(25);
  });

  it('shrinks farther points (perspective)', () => {
    const near = project([1, 0, -1], cam, 200, 100);
    const far = project([1, 0, 1], cam, 200, 100);
    expect(near.x - 100).toBeGreaterThan(far.x - 100);
    expect(far.depth).toBeGreaterThan(near.depth);
  });

  it('a half-turn yaw mirrors x', () => {
    const p = project([1, 0, 0], { ...cam, yaw: Math.PI }, 200, 100);
    expect(p.x).toBeCloseTo(75);
  });
});

describe('orbit and zoom', () => {
  it('orbit adds yaw and clamps pitch short of the poles', () => {
    const c = orbit(cam, 100, 1e6);
    expect(c.yaw).toBeCloseTo(1);
    expect(c.pitch).toBeLessThan(Math.PI / 2);
    expect(orbit(cam, 0, -1e6).pitch).toBeGreaterThan(-Math.PI / 2);
  });

  it('zoom is multiplicative and bounded', () => {
    expect(zoom(cam, 100).distance).toBeGreaterThan(cam.distance);
    expect(zoom(cam, -100).distance).toBeLessThan(cam.distance);
    expect(zoom(cam, 1e6).distance).toBe(MAX_DISTANCE);
    expect(zoom(cam, -1e6).distance).toBe(MIN_DISTANCE);
  });
});
