/** Where the built site lives, and building it on first use (esbuild, about 2 s). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** packages/viewer: this file is src/server/site.ts or dist/server/site.js, two levels down either way. */
export const VIEWER_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SITE_DIR = join(VIEWER_ROOT, 'dist', 'site');
export const BUILD_SCRIPT = join(VIEWER_ROOT, 'scripts', 'build.mjs');

export function siteBuilt(dir = SITE_DIR): boolean {
  return existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'app.js'));
}

/** Build the site with scripts/build.mjs (needs the viewer's dev dependency esbuild). */
export async function buildSite(dir = SITE_DIR): Promise<string> {
  const mod = (await import(pathToFileURL(BUILD_SCRIPT).href)) as {
    buildSite(outDir: string): Promise<{ outDir: string }>;
  };
  return (await mod.buildSite(dir)).outDir;
}

/** The site folder, built first when it is missing. */
export async function ensureSite(dir = SITE_DIR): Promise<string> {
  if (siteBuilt(dir)) return dir;
  try {
    return await buildSite(dir);
  } catch (err) {
    throw new Error(
      `the viewer site is not built and building it failed (${(err as Error).message}); run: node ${BUILD_SCRIPT}`,
    );
  }
}
