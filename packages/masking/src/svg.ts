import { checkBatch, NTU25, type SkeletonBatch, type SkeletonLayout } from '@asma/skeleton';
import { MaskingConfigError } from './errors.js';
import type { ViewMasks } from './views.js';

export interface MasksSvgOptions {
  title?: string;
  layout?: SkeletonLayout;
  /** Number of key frames drawn per view (default 6, evenly spaced). */
  keyFrames?: number;
}

const C = {
  bone: '#9aa5b1',
  joint: '#334e68',
  masked: '#d64545',
  motion: '#f0a020',
  random: '#7b61ff',
  kept: '#d9e2ec',
  curve: '#102a43',
  text: '#243b53',
  grid: '#e4e7eb',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f1 = (x: number) => x.toFixed(1);

/**
 * An SVG picture of what each view hides in one clip (`clip` has N = 1): the per-frame motion
 * energy, one frame strip per view (kept / dropped by motion / dropped at random), and the
 * skeleton (x/y projection) in a few key frames with that view's masked joints in red.
 */
export function renderMasksSvg(
  clip: SkeletonBatch,
  views: readonly ViewMasks[],
  opts: MasksSvgOptions = {},
): string {
  checkBatch(clip, 'renderMasksSvg');
  const [n, , T, V, M] = clip.shape;
  if (n !== 1) throw new MaskingConfigError('clip', `expected one clip (N = 1), got N = ${n}`);
  const layout = opts.layout ?? NTU25;
  const keyCount = Math.max(1, Math.min(T, opts.keyFrames ?? 6));
  const keys = Array.from({ length: keyCount }, (_, i) =>
    Math.round((i * (T - 1)) / Math.max(1, keyCount - 1)),
  );
  const at = (c: number, t: number, v: number, m: number) => clip.data[((c * T + t) * V + v) * M + m]!;
  const bodies = Array.from({ length: M }, (_, m) => m).filter((m) => {
    for (let t = 0; t < T; t++)
      for (let v = 0; v < V; v++) if (at(0, t, v, m) !== 0 || at(1, t, v, m) !== 0) return true;
    return false;
  });

  // Geometry.
  const W = 1100;
  const left = 150;
  const plotW = W - left - 30;
  const frameX = (t: number) => left + ((t + 0.5) * plotW) / T;
  const energy = views[0]?.energy.subarray(0, T) ?? new Float32Array(T);
  const out: string[] = [];
  let y = 20;
  out.push(
    `<text x="20" y="${y + 8}" font-size="18" font-weight="bold">${esc(opts.title ?? 'masks')}</text>`,
  );
  y += 30;

  // Legend.
  const legend: [string, string, boolean][] = [
    [C.masked, 'masked joint (spatial stream)', true],
    [C.joint, 'kept joint', true],
    [C.motion, 'frame dropped by motion energy', false],
    [C.random, 'frame dropped at random', false],
    [C.kept, 'frame kept (temporal stream)', false],
  ];
  let lx = 20;
  for (const [color, label, dot] of legend) {
    out.push(
      dot
        ? `<circle cx="${lx + 6}" cy="${y}" r="5" fill="${color}"/>`
        : `<rect x="${lx}" y="${y - 6}" width="12" height="12" fill="${color}"/>`,
    );
    out.push(`<text x="${lx + 18}" y="${y + 4}" font-size="12">${label}</text>`);
    lx += 36 + label.length * 6.2;
  }
  y += 25;

  // Motion energy curve.
  const plotH = 110;
  let eMax = 0;
  for (const e of energy) eMax = Math.max(eMax, e);
  const ey = (e: number) => y + plotH - (eMax > 0 ? (e / eMax) * plotH : 0);
  out.push(`<text x="20" y="${y + 50}" font-size="13" font-weight="bold">motion energy</text>`);
  out.push(`<text x="20" y="${y + 66}" font-size="10">e_t = mean (x[t+1]-x[t])²</text>`);
  out.push(
    `<text x="${left - 6}" y="${y + 10}" font-size="10" text-anchor="end">${eMax.toPrecision(3)}</text>`,
  );
  out.push(`<text x="${left - 6}" y="${y + plotH}" font-size="10" text-anchor="end">0</text>`);
  out.push(`<rect x="${left}" y="${y}" width="${plotW}" height="${plotH}" fill="none" stroke="${C.grid}"/>`);
  const pts = Array.from(energy, (e, t) => `${f1(frameX(t))},${f1(ey(e))}`).join(' ');
  out.push(`<polyline points="${pts}" fill="none" stroke="${C.curve}" stroke-width="1.5"/>`);
  for (let t = 0; t < T; t++)
    out.push(`<circle cx="${f1(frameX(t))}" cy="${f1(ey(energy[t]!))}" r="2" fill="${C.curve}"/>`);
  y += plotH;
  const tickStep = T <= 60 ? 5 : Math.ceil(T / 12 / 10) * 10;
  for (let t = 0; t < T; t += tickStep) {
    out.push(`<text x="${f1(frameX(t))}" y="${y + 13}" font-size="10" text-anchor="middle">${t}</text>`);
  }
  out.push(`<text x="${left + plotW}" y="${y + 26}" font-size="10" text-anchor="end">frame</text>`);
  y += 34;

  // Skeleton scale: one box for every frame and body, y up.
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const m of bodies)
    for (let t = 0; t < T; t++)
      for (let v = 0; v < V; v++) {
        x0 = Math.min(x0, at(0, t, v, m));
        x1 = Math.max(x1, at(0, t, v, m));
        y0 = Math.min(y0, at(1, t, v, m));
        y1 = Math.max(y1, at(1, t, v, m));
      }
  if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [-1, 1, -1, 1];
  const panelW = plotW / keyCount;
  const panelH = 170;
  const scale = Math.min((panelW - 20) / Math.max(1e-9, x1 - x0), (panelH - 36) / Math.max(1e-9, y1 - y0));

  for (const view of views) {
    const tm = view.temporal;
    const r = tm.frames - tm.tKeep;
    const removed = new Set(tm.removed.subarray(0, r));
    const byMotion = new Set(tm.byMotion.subarray(0, tm.byMotion.length / Math.max(1, tm.n)));
    const joints = view.spatial[0]!;
    const masked = new Set(joints.removed);
    out.push(`<line x1="20" y1="${y - 8}" x2="${W - 20}" y2="${y - 8}" stroke="${C.grid}"/>`);
    out.push(`<text x="20" y="${y + 12}" font-size="14" font-weight="bold">${esc(view.name)}</text>`);
    const names = joints.removed.map((j) => layout.jointNames[j] ?? `${j}`).join(', ');
    out.push(
      `<text x="${left}" y="${y + 12}" font-size="12">joints masked (${joints.removed.length}): ${esc(names)}</text>`,
    );
    y += 22;
    // Frame strip.
    out.push(`<text x="20" y="${y + 12}" font-size="11">frames kept ${tm.tKeep}/${tm.frames}</text>`);
    for (let t = 0; t < T; t++) {
      const color = byMotion.has(t) ? C.motion : removed.has(t) ? C.random : C.kept;
      out.push(
        `<rect x="${f1(left + (t * plotW) / T + 0.5)}" y="${y}" width="${f1(plotW / T - 1)}" height="16" fill="${color}"/>`,
      );
    }
    y += 24;
    // Key frames.
    keys.forEach((t, i) => {
      const px = left + i * panelW;
      const cx = px + panelW / 2 - ((x0 + x1) / 2) * scale;
      const cy = y + 28 + (panelH - 36) / 2 + ((y0 + y1) / 2) * scale;
      const sx = (v: number, m: number) => f1(cx + at(0, t, v, m) * scale);
      const sy = (v: number, m: number) => f1(cy - at(1, t, v, m) * scale);
      const dropped = removed.has(t);
      out.push(
        `<rect x="${f1(px + 3)}" y="${y}" width="${f1(panelW - 6)}" height="${panelH}" rx="4" fill="${dropped ? '#fff7ed' : 'none'}" stroke="${dropped ? (byMotion.has(t) ? C.motion : C.random) : C.grid}" ${dropped ? 'stroke-dasharray="5,3"' : ''}/>`,
      );
      out.push(
        `<text x="${f1(px + panelW / 2)}" y="${y + 14}" font-size="11" text-anchor="middle">frame ${t}</text>`,
      );
      if (dropped) {
        const how = byMotion.has(t) ? 'dropped: motion' : 'dropped: random';
        const color = byMotion.has(t) ? '#b45309' : C.random;
        out.push(
          `<text x="${f1(px + panelW / 2)}" y="${y + 27}" font-size="10" text-anchor="middle" fill="${color}">${how}</text>`,
        );
      }
      for (const m of bodies) {
        for (const [a, b] of layout.bones) {
          out.push(
            `<line x1="${sx(a, m)}" y1="${sy(a, m)}" x2="${sx(b, m)}" y2="${sy(b, m)}" stroke="${C.bone}" stroke-width="2"/>`,
          );
        }
        for (let v = 0; v < V; v++) {
          const hit = masked.has(v);
          out.push(
            `<circle cx="${sx(v, m)}" cy="${sy(v, m)}" r="${hit ? 4.5 : 2.5}" fill="${hit ? C.masked : C.joint}"${hit ? ' stroke="#fff" stroke-width="1"' : ''}/>`,
          );
        }
      }
    });
    y += panelH + 24;
  }
  const H = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" fill="${C.text}">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
