// Build the static site into dist/site: app.js (esbuild, browser), index.html, style.css, the sample
// clips, config.json and the model fixture. Takes a few seconds; trains nothing.
//   node scripts/build.mjs [outDir]
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleBrowser, bundleNode } from './bundle.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const SITE_DIR = join(root, 'dist', 'site');
export const MODEL_FIXTURE = join(root, 'fixtures', 'student.safetensors');

/** Build into a temporary sibling and rename, so a reader never sees a half-built site. */
export async function buildSite(outDir = SITE_DIR) {
  const t0 = performance.now();
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await bundleBrowser(join(root, 'src', 'app', 'main.ts'), join(tmp, 'app.js'));
  for (const f of ['index.html', 'style.css']) copyFileSync(join(root, 'site', f), join(tmp, f));
  copyFileSync(MODEL_FIXTURE, join(tmp, 'model.safetensors'));
  const assets = join(root, 'dist', '.scripts', `assets-${process.pid}.mjs`);
  await bundleNode(join(root, 'scripts', 'assets.ts'), assets);
  const { writeAssets } = await import(pathToFileURL(assets).href);
  writeAssets(tmp);
  rmSync(assets, { force: true });
  rmSync(outDir, { recursive: true, force: true });
  try {
    renameSync(tmp, outDir);
  } catch (err) {
    // Another process built the same folder in between: keep its (identical) site.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(outDir, 'index.html'))) throw err;
  }
  return { outDir, ms: performance.now() - t0 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outDir, ms } = await buildSite(process.argv[2] ? resolve(process.argv[2]) : SITE_DIR);
  console.log(`site -> ${outDir} (${(ms / 1000).toFixed(1)} s)`);
}
