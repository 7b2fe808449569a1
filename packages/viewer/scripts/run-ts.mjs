// Run a TypeScript script of this package: node scripts/run-ts.mjs scripts/make-model.ts [args]
import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleNode } from './bundle.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <script.ts> [args]');
  process.exit(2);
}
const out = join(root, 'dist', '.scripts', `${basename(entry, '.ts')}.mjs`);
mkdirSync(dirname(out), { recursive: true });
await bundleNode(resolve(entry), out);
process.argv.splice(2, 1);
await import(pathToFileURL(out).href);
