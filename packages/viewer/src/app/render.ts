/** Draws skeleton frames and frame strips on 2-D canvases. */
import { NTU25 } from '@asma/skeleton';
import type { Point3 } from '../core/clip.js';
import { type OrbitCamera, project } from '../core/projection.js';
import type { FrameState } from '../core/views.js';

export const BACKGROUND = '#0f1724';
const BODY_COLOURS = ['#e2e8f0', '#93c5fd'];
const MASKED = '#ef4444';

export interface SkeletonStyle {
  /** Joints drawn red (a view's masked joints). */
  masked?: ReadonlySet<number>;
  /** Node radius per joint (joint degree); default a fixed size. */
  radius?: readonly number[];
}

function clear(ctx: CanvasRenderingContext2D): void {
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
}

/** One frame: bones then joints, far to near so nearer joints overlap farther ones. */
export function drawSkeleton(
  ctx: CanvasRenderingContext2D,
  bodies: readonly Point3[][],
  cam: OrbitCamera,
  style: SkeletonStyle = {},
): void {
  const { width, height } = ctx.canvas;
  clear(ctx);
  bodies.forEach((pts, b) => {
    const p = pts.map((q) => project(q, cam, width, height));
    ctx.strokeStyle = BODY_COLOURS[b % BODY_COLOURS.length]!;
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (const [i, j] of NTU25.bones) {
      if (p[i]!.depth <= 0 || p[j]!.depth <= 0) continue;
      ctx.moveTo(p[i]!.x, p[i]!.y);
      ctx.lineTo(p[j]!.x, p[j]!.y);
    }
    ctx.stroke();
    const order = p.map((_, i) => i).sort((i, j) => p[j]!.depth - p[i]!.depth);
    for (const i of order) {
      if (p[i]!.depth <= 0) continue;
      const masked = style.masked?.has(i) ?? false;
      const r = style.radius?.[i] ?? 3;
      ctx.fillStyle = masked ? MASKED : BODY_COLOURS[b % BODY_COLOURS.length]!;
      ctx.beginPath();
      ctx.arc(p[i]!.x, p[i]!.y, r, 0, 2 * Math.PI);
      ctx.fill();
    }
  });
}

const FRAME_COLOURS: Record<FrameState, string> = { kept: '#334155', motion: '#f59e0b', random: '#a855f7' };

/** Frame strip: one cell per frame coloured by its fate, the motion-energy curve, the current frame. */
export function drawStrip(
  ctx: CanvasRenderingContext2D,
  frames: readonly FrameState[],
  energy: Float32Array,
  current: number,
): void {
  const { width, height } = ctx.canvas;
  clear(ctx);
  const t = frames.length;
  const w = width / t;
  const cellTop = height - 18;
  frames.forEach((s, f) => {
    ctx.fillStyle = FRAME_COLOURS[s];
    ctx.fillRect(f * w + 0.5, cellTop, Math.max(1, w - 1), 14);
  });
  let max = 0;
  for (let f = 0; f < t; f++) max = Math.max(max, energy[f]!);
  ctx.strokeStyle = '#22d3ee';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (let f = 0; f < t; f++) {
    const x = (f + 0.5) * w;
    const y = cellTop - 4 - (max > 0 ? (energy[f]! / max) * (cellTop - 10) : 0);
    if (f === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  }
  ctx.stroke();
  ctx.strokeStyle = '#f8fafc';
  ctx.lineWidth = 1;
  ctx.strokeRect(current * w + 0.5, 1, Math.max(1, w - 1), height - 2);
}
