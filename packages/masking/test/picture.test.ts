import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic, sliceBatch } from '@asma/skeleton';
import { writeNpy } from '@asma/skeleton/node';
import { Rng } from '@asma/util';
import { afterAll, describe, expect, it } from 'vitest';
import { asmaViews, MaskingConfigError, renderMasksSvg } from '../src/index.js';
import { readClip, writeMasksPicture } from '../src/node/index.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-masks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const clips = sliceBatch(generateSynthetic({ seed: 2, samplesPerClass: 1 }), 0, 3);

describe('masks picture', () => {
  it('draws every view: masked joints, dropped frames and the energy curve', () => {
    const clip = sliceBatch(clips, 1, 1);
    const views = asmaViews().sample(clip, new Rng(0));
    const svg = renderMasksSvg(clip, views, { title: 'test <clip>' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('test &lt;clip&gt;');
    expect(svg).toContain('asma-a');
    expect(svg).toContain('asma-b');
    expect(svg).toContain('<polyline'); // energy curve
    // One masked-joint dot per masked joint, per key frame (6), per present body.
    const redDots = (svg.match(/fill="#d64545" stroke/g) ?? []).length;
    const masked = views[0]!.spatial[0]!.removed.length + views[1]!.spatial[0]!.removed.length;
    expect(redDots % (6 * masked)).toBe(0);
    expect(redDots).toBeGreaterThan(0);
    // 50 strip cells per view: 10 by motion (orange) and 10 random (purple) each.
    expect((svg.match(/height="16" fill="#f0a020"/g) ?? []).length).toBe(20);
    expect((svg.match(/height="16" fill="#7b61ff"/g) ?? []).length).toBe(20);
    expect(() => renderMasksSvg(clips, views)).toThrow(/expected one clip/);
  });

  it('reads one clip of a file and writes the picture', () => {
    const path = join(dir, 'x.npy');
    writeNpy(path, Float64Array.from(clips.data), clips.shape);
    const clip = readClip(path, 2);
    expect(clip.shape).toEqual([1, 3, 50, 25, 2]);
    expect(clip.data).toEqual(sliceBatch(clips, 2, 1).data);
    const out = join(dir, 'm.svg');
    const r = writeMasksPicture({ data: path, out, index: 2, strategy: 'pstl', seed: 1 });
    expect(r.views.map((v) => v.name)).toEqual(['pstl']);
    expect(readFileSync(out, 'utf8')).toContain('pstl masks: x.npy clip 2');
    expect(() => readClip(path, 3)).toThrow(MaskingConfigError);
    expect(() => readClip(path, 3)).toThrow(/index: 3 is outside 0..2/);
    const bad = join(dir, 'bad.npy');
    writeNpy(bad, new Float32Array(12), [3, 4]);
    expect(() => readClip(bad, 0)).toThrow(/expected shape \(N, 3, T, 25, M\), got \(3, 4\)/);
  });
});
