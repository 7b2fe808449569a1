/**
 * Headless Debian Chromium with WebGPU (SwiftShader's Vulkan on the CPU where there is no GPU), via
 * playwright-core: no browser download. Serves a bundled test page from memory (page.route).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { noNodeImports } from '../../viewer/scripts/bundle.mjs';

export const CHROMIUM = process.env.ASMA_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumSkipReason(): string | null {
  if (!existsSync(CHROMIUM))
    return `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the WebGPU browser tests`;
  return null;
}

/** The page module bundled for the browser from the workspace TypeScript sources. */
export async function bundlePage(entry: string): Promise<string> {
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    conditions: ['source'],
    logLevel: 'warning',
    // As the viewer's page: a static import of Node fails the build (no stand-ins for node:*).
    plugins: [noNodeImports],
  });
  return out.outputFiles[0]!.text;
}

const ORIGIN = 'http://127.0.0.1:9/';

/** Chromium with WebGPU on, showing `script` (an ES module) in a page of a secure origin. */
export async function openWebGpuPage(
  script: string,
): Promise<{ page: Page; version: string; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'asma-webgpu-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--enable-unsafe-webgpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await context.newPage();
    await page.route(`${ORIGIN}**`, (route) => {
      const url = route.request().url();
      if (url.endsWith('/page.js')) return route.fulfill({ contentType: 'text/javascript', body: script });
      return route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><script type="module" src="/page.js"></script>',
      });
    });
    await page.goto(ORIGIN);
    const ctx = context;
    return {
      page,
      version: ctx.browser()?.version() ?? 'unknown',
      async close() {
        await ctx.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
