/**
 * The built site in real headless Chromium (Debian's /usr/bin/chromium via playwright-core): it
 * loads, draws a non-blank skeleton, plays, rejects a bad file clearly, and its top-1 class equals
 * Node inference of the same model file on the same clip (loaded by @asma/trainer's own loader).
 * Skipped, with the reason in its name, where Chromium is not installed.
 * ASMA_VIEWER_SCREENSHOT=<path> also saves the screenshot there (docs/viewer.png is made so).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad, Tensor } from '@asma/autodiff';
import { readSafetensors } from '@asma/autodiff/node';
import { readNpy } from '@asma/skeleton/node';
import { ActionClassifier } from '@asma/trainer';
import { loadCheckpoint, loadStGcn } from '@asma/trainer/node';
import { Rng } from '@asma/util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '../src/app/exposed.js';
import { extractClip } from '../src/core/clip.js';
import { softmax } from '../src/core/topk.js';
import { type RunningServer, serveSite } from '../src/server/serve.js';
import { buildSite } from '../src/server/site.js';
import { browserSkipReason, launchChromium } from './browser.js';

const reason = browserSkipReason();
const title = reason ? `viewer in Chromium (skipped: ${reason})` : 'viewer in Chromium';
if (reason) console.warn(`browser test skipped: ${reason}`);

/** Node-side reference: the trainer's file loader, not the page's byte loader. */
function nodeProbabilities(modelPath: string, clipsPath: string, index: number): Float64Array {
  const { model: encoder } = loadStGcn(modelPath, { prefix: 'encoder.', dropout: 0 });
  const fc = readSafetensors(modelPath).tensors.get('fc.weight') as Tensor;
  const model = new ActionClassifier(encoder, fc.shape[0]!, new Rng(0));
  loadCheckpoint(model, modelPath);
  model.eval();
  const clip = extractClip(readNpy(clipsPath, { asFloat32: true }), index);
  const logits = noGrad(() => model.forward(new Tensor(clip.data, [...clip.shape])));
  return softmax(logits.data);
}

/**
 * Clips `indices` picked in the page show Node's top-5: the same classes in the same order, each
 * probability within `tol` (WebGPU skips the CPU's BatchNorm fold, so its rounding differs), and a latency.
 */
async function expectNodeTop5(page: Page, site: string, indices: number[], tol: number): Promise<void> {
  for (const index of indices) {
    await page.fill('#index', String(index));
    await page.dispatchEvent('#index', 'change');
    await page.waitForFunction((i) => window.__asma!.classified === i, index, { timeout: 60_000 });
    const top5 = await page.evaluate(() => window.__asma!.top5);
    const p = nodeProbabilities(join(site, 'model.safetensors'), join(site, 'sample.npy'), index);
    const order = Array.from(p.keys()).sort((a, b) => p[b]! - p[a]!);
    expect(top5.map((r) => r.index)).toEqual(order.slice(0, 5));
    const err = Math.max(...top5.map((r) => Math.abs(r.probability - p[r.index]!)));
    console.log(`clip ${index}: top-5 probabilities within ${err.toExponential(1)} of Node's`);
    expect(err).toBeLessThan(tol);
    expect(await page.getAttribute('#top5 li:first-child', 'data-index')).toBe(String(order[0]));
    expect(await page.textContent('#latency')).toMatch(/latency (\d+\.\d ms|\d+\.\d\d s) per clip/);
  }
}

/** Pixels of the skeleton canvas that differ from its background colour. */
function drawnPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = document.getElementById('skeleton') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4)
      if (Math.abs(d[i]! - d[0]!) + Math.abs(d[i + 1]! - d[1]!) + Math.abs(d[i + 2]! - d[2]!) > 30) n++;
    return n;
  });
}

describe.skipIf(reason !== null)(title, () => {
  let dir: string;
  let site: string;
  let server: RunningServer;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'asma-viewer-'));
    site = await buildSite(join(dir, 'site'));
    server = await serveSite({ root: site, port: 0 });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.__asmaReady !== undefined, null, { timeout: 30_000 });
  }, 90_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the sample and the model without errors and draws a non-blank skeleton', async () => {
    expect(await page.evaluate(() => window.__asmaReady)).toBe(true);
    expect(pageErrors).toEqual([]);
    expect(await page.evaluate(() => window.__asma!.error)).toBe('');
    expect(await page.textContent('#source')).toMatch(/sample\.npy: 16 clip\(s\) of 50 frames/);
    expect(await drawnPixels(page)).toBeGreaterThan(500);
    expect(await page.locator('#view-a .masked').textContent()).toMatch(/masked joints \d/);
  });

  it('plays: the frame index advances, and pauses again', async () => {
    const start = await page.evaluate(() => window.__asma!.frame);
    await page.click('#play');
    await page.waitForFunction((f) => window.__asma!.frame !== f, start, { timeout: 10_000 });
    expect(await page.textContent('#play')).toBe('pause');
    await page.click('#play');
    expect(await page.evaluate(() => window.__asma!.playing)).toBe(false);
    await page.fill('#scrub', '7');
    expect(await page.evaluate(() => window.__asma!.frame)).toBe(7);
  });

  it('orbits on drag and zooms on wheel', async () => {
    const box = (await page.locator('#skeleton').boundingBox())!;
    const snapshot = () =>
      page.evaluate(() => (document.getElementById('skeleton') as HTMLCanvasElement).toDataURL());
    const before = await snapshot();
    await page.mouse.move(box.x + 200, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + 320, box.y + 230, { steps: 4 });
    await page.mouse.up();
    const orbited = await snapshot();
    expect(orbited).not.toBe(before);
    await page.mouse.wheel(0, 400);
    await page.waitForFunction(
      (s) => (document.getElementById('skeleton') as HTMLCanvasElement).toDataURL() !== s,
      orbited,
    );
    expect(await drawnPixels(page)).toBeGreaterThan(200);
  });

  it('runs its inference on the CPU without WebGPU, and says so', async () => {
    expect(await page.evaluate(() => window.__asma!.backend)).toBe('cpu');
    expect(await page.textContent('#backend')).toMatch(/^inference on CPU \(no WebGPU: .+\)$/);
  });

  it('shows the same top-5 (classes and probabilities) as Node inference of the same clip', async () => {
    await expectNodeTop5(page, site, [0, 5], 5e-5);
  });

  it('names what is wrong with a bad .npy and keeps the clip shown', async () => {
    await page.setInputFiles('#file', {
      name: 'bad.npy',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('not numpy'),
    });
    await page.waitForFunction(() => window.__asma!.error !== '');
    expect(await page.textContent('#error')).toMatch(/bad\.npy: not a readable \.npy file/);
    expect(await drawnPixels(page)).toBeGreaterThan(500);
    // A valid user file replaces the sample.
    await page.setInputFiles('#file', {
      name: 'mine.npy',
      mimeType: 'application/octet-stream',
      buffer: readFileSync(join(site, 'sample.npy')),
    });
    await page.waitForFunction(() => window.__asma!.error === '');
    expect(await page.textContent('#source')).toMatch(/mine\.npy: 16 clip/);
  });

  it('fits a 1280 px window: no horizontal scroll, the prediction column inside (it was 1408 px wide)', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const fit = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      predictRight: document.getElementById('predict')!.getBoundingClientRect().right,
    }));
    expect(fit.scroll).toBeLessThanOrEqual(1280);
    expect(fit.predictRight).toBeLessThanOrEqual(1280);
    expect(await drawnPixels(page)).toBeGreaterThan(500);
  });

  it('takes a screenshot of the page', async () => {
    await page.setInputFiles('#file', []);
    await page.goto(server.url);
    await page.waitForFunction(() => window.__asmaReady === true, null, { timeout: 30_000 });
    await page.fill('#scrub', '24');
    const shot = join(dir, 'viewer.png');
    await page.screenshot({ path: shot });
    expect(readFileSync(shot).subarray(1, 4).toString('latin1')).toBe('PNG');
    const keep = process.env.ASMA_VIEWER_SCREENSHOT;
    if (keep) copyFileSync(shot, keep);
  });
});

describe.skipIf(reason !== null)(`${title} with WebGPU (SwiftShader without a GPU)`, () => {
  let dir: string;
  let site: string;
  let server: RunningServer;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'asma-viewer-gpu-'));
    site = await buildSite(join(dir, 'site'));
    server = await serveSite({ root: site, port: 0 });
    chromium = await launchChromium(undefined, { webgpu: true });
    page = await chromium.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.__asmaReady !== undefined, null, { timeout: 120_000 });
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs its inference on WebGPU and names the adapter', async () => {
    expect(pageErrors).toEqual([]);
    expect(await page.evaluate(() => window.__asma!.error)).toBe('');
    expect(await page.evaluate(() => window.__asmaReady)).toBe(true);
    const label = await page.textContent('#backend');
    console.log(`viewer: ${label}; ${await page.textContent('#latency')}`);
    expect(await page.evaluate(() => window.__asma!.backend)).toBe('webgpu');
    expect(label).toMatch(/^inference on WebGPU \(.+\)$/);
    expect(await page.textContent('#latency')).toContain('on WebGPU');
  });

  it('shows the same top-5 as Node inference (within 1e-4)', async () => {
    await expectNodeTop5(page, site, [0, 5], 1e-4);
  }, 120_000);
});
