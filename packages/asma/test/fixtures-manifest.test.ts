/**
 * tools/fixtures-manifest.json (written by `pnpm fixtures`, tools/fixtures.mjs) records, per fixture
 * generator, the hashes of the script and its helpers, the torch / numpy versions it ran with, and the
 * hashes of the files it wrote. A generator edited without regenerating, or a fixture edited by hand,
 * no longer matches: run `pnpm fixtures` (and review the fixtures' diff).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Entry {
  inputs: Record<string, string>;
  python: Record<string, string> | null;
  outputs: Record<string, string>;
  note?: string;
}
const manifest = JSON.parse(readFileSync(join(root, 'tools', 'fixtures-manifest.json'), 'utf8')) as {
  generators: Record<string, Entry>;
};

const sha256 = (path: string) =>
  createHash('sha256')
    .update(readFileSync(join(root, path)))
    .digest('hex');

/** Python scripts under tools/ that measure and write no fixture (so `pnpm fixtures` does not run them). */
const NOT_GENERATORS = new Set([
  // The PyTorch twin of the pretraining recipe (issue 18): trains and prints accuracies.
  'tools/torch/pretrain_twin.py',
]);

/** Every .py under dir (relative to the root), recursively. */
function pythonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : pythonFiles(p);
    return e.name.endsWith('.py') ? [relative(root, p)] : [];
  });
}

describe('fixture manifest', () => {
  it('lists every generator script (the benchmarks, GPU-host peers and helper modules aside)', () => {
    const helpers = new Set(
      Object.entries(manifest.generators).flatMap(([script, g]) =>
        Object.keys(g.inputs).filter((p) => p !== script),
      ),
    );
    const scripts = [
      ...pythonFiles(join(root, 'tools')),
      ...readdirSync(join(root, 'packages')).flatMap((p) => pythonFiles(join(root, 'packages', p, 'test'))),
    ]
      // tools/gpu-host/ holds the PyTorch CUDA peer of a device check, and NOT_GENERATORS lists the other
      // scripts that measure and write no fixture.
      .filter(
        (p) =>
          !/\/bench_[^/]*\.py$/.test(p) &&
          !p.startsWith('tools/gpu-host/') &&
          !NOT_GENERATORS.has(p) &&
          !helpers.has(p),
      );
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((p) => manifest.generators[p] === undefined)).toEqual([]);
  });

  for (const [script, g] of Object.entries(manifest.generators)) {
    it(`${script}: the script and its helpers are the ones that wrote the fixtures`, () => {
      expect(Object.keys(g.inputs)).toContain(script);
      for (const [path, hash] of Object.entries(g.inputs))
        expect(sha256(path), `${path} changed since pnpm fixtures ran; run it again`).toBe(hash);
      if (g.python === null) expect(g.note, 'an entry without versions says why').toBeTruthy();
      else if (readFileSync(join(root, script), 'utf8').includes('import torch'))
        expect(g.python.torch, 'torch version recorded').toMatch(/^\d+\.\d+/);
    });
    it(`${script}: its fixtures are unchanged since`, () => {
      expect(Object.keys(g.outputs).length).toBeGreaterThan(0);
      for (const [path, hash] of Object.entries(g.outputs))
        expect(sha256(path), `${path} differs from what ${script} wrote`).toBe(hash);
    });
  }
});
