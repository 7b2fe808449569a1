/**
 * A tiny orbit camera and pinhole projection for drawing a skeleton on a 2-D canvas: enough for
 * 25 joints, no WebGL. World axes as in NTU camera space: x right, y up, z away from the sensor.
 */

export interface OrbitCamera {
  /** Rotation about the world y axis, radians. */
  yaw: number;
  /** Elevation, radians, clamped to (-pi/2, pi/2) so the view never flips. */
  pitch: number;
  /** Distance from the target, metres. */
  distance: number;
  /** Vertical field of view, radians. */
  fov: number;
  /** Point looked at (the clip's centre). */
  target: readonly [number, number, number];
}

export interface Projected {
  /** Canvas pixels. */
  x: number;
  y: number;
  /** Distance along the view axis (larger is farther); <= 0 means behind the camera. */
  depth: number;
}

export const MIN_DISTANCE = 0.5;
export const MAX_DISTANCE = 20;
const PITCH_LIMIT = Math.PI / 2 - 0.01;

export function defaultCamera(target: readonly [number, number, number] = [0, 0, 0]): OrbitCamera {
  return { yaw: Math.PI, pitch: 0.15, distance: 3.5, fov: Math.PI / 4, target };
}

/** Project a world point to canvas pixels (y down) for a width x height canvas. */
export function project(
  p: readonly [number, number, number],
  cam: OrbitCamera,
  width: number,
  height: number,
): Projected {
  const dx = p[0] - cam.target[0];
  const dy = p[1] - cam.target[1];
  const dz = p[2] - cam.target[2];
  // Rotate the world by -yaw about y, then by -pitch about x: the camera then looks down +z.
  const cy = Math.cos(cam.yaw);
  const sy = Math.sin(cam.yaw);
  const x1 = cy * dx - sy * dz;
  const z1 = sy * dx + cy * dz;
  const cp = Math.cos(cam.pitch);
  const sp = Math.sin(cam.pitch);
  const y2 = cp * dy - sp * z1;
  const z2 = sp * dy + cp * z1;
  const depth = z2 + cam.distance;
  const f = height / 2 / Math.tan(cam.fov / 2);
  const safe = Math.max(depth, 1e-6);
  return { x: width / 2 + (f * x1) / safe, y: height / 2 - (f * y2) / safe, depth };
}

/** Orbit by a mouse drag of (dx, dy) pixels. */
export function orbit(cam: OrbitCamera, dx: number, dy: number, radiansPerPixel = 0.01): OrbitCamera {
  const pitch = Math.max(-PITCH_LIMIT, Math.min(PITCH_LIMIT, cam.pitch + dy * radiansPerPixel));
  return { ...cam, yaw: cam.yaw + dx * radiansPerPixel, pitch };
}

/** Zoom by a wheel delta (positive = away), multiplicatively, within [MIN_DISTANCE, MAX_DISTANCE]. */
export function zoom(cam: OrbitCamera, wheelDelta: number): OrbitCamera {
  const d = cam.distance * Math.exp(wheelDelta * 0.001);
  return { ...cam, distance: Math.max(MIN_DISTANCE, Math.min(MAX_DISTANCE, d)) };
}
