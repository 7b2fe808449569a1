/**
 * The page's browser bundle needs no stand-ins for Node: scripts/bundle.mjs fails the build, naming
 * the importing file, when a static import of a Node built-in or of a package's ./node entry is
 * reached, and leaves a dynamic import() of Node (a branch that only runs in Node) out of the bundle.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bundleBrowser } from '../scripts/bundle.mjs';

const out = mkdtempSync(join(tmpdir(), 'asma-bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The bundle of `entry` (a path under packages/viewer), unminified, as text. */
async function bundle(...entry: string[]): Promise<string> {
  const file = join(out, `${entry.at(-1)}.js`);
  await bundleBrowser(join(import.meta.dirname, '..', ...entry), file, { minify: false, logLevel: 'silent' });
  return readFileSync(file, 'utf8');
}

/** Module specifiers the bundle still imports (everything bundled leaves none). */
function imports(js: string): string[] {
  const re =
    /\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\brequire\s*\(\s*["']([^"']+)["']\s*\)/g;
  return [...js.matchAll(re)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

it('bundles the page, and the @asma packages it imports, with no import of Node left', async () => {
  const js = await bundle('src', 'app', 'main.ts');
  expect(js).toContain('__asmaReady'); // the page's own code is in it
  expect(imports(js)).toEqual([]);
}, 120_000);

it("fails for a page that imports a package's ./node entry, naming the file that does", async () => {
  await expect(bundle('test', 'fixtures', 'imports-trainer-node.ts')).rejects.toThrow(
    /test\/fixtures\/imports-trainer-node\.ts imports '@asma\/trainer\/node', which is Node-only/,
  );
});

it('fails for a bare Node built-in (fs) too', async () => {
  await expect(bundle('test', 'fixtures', 'imports-fs.ts')).rejects.toThrow(
    /test\/fixtures\/imports-fs\.ts imports 'fs', which is Node-only/,
  );
});

it('leaves a dynamic import of Node out of the bundle (it runs only where Node is)', async () => {
  const js = await bundle('test', 'fixtures', 'imports-node-lazily.ts');
  expect(imports(js)).toEqual(['node:fs']);
});
