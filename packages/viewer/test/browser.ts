/** Launch Debian's Chromium through playwright-core (no browser download), or say why not. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.ASMA_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function browserSkipReason(): string | null {
  if (!existsSync(CHROMIUM))
    return `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser test`;
  return null;
}

/**
 * A fresh profile each time (playwright passes it as --user-data-dir). `webgpu` turns WebGPU on
 * (--enable-unsafe-webgpu: SwiftShader's Vulkan on the CPU where there is no GPU); without it the
 * page has no adapter and runs its inference on the CPU.
 */
export async function launchChromium(
  viewport = { width: 1420, height: 660 },
  { webgpu = false } = {},
): Promise<{ context: BrowserContext; version: string; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'asma-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      ...(webgpu ? ['--enable-unsafe-webgpu'] : ['--disable-gpu']),
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    version: context.browser()?.version() ?? 'unknown',
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
