/** The command as a user meets it: the linked bin, group help, --version, and the package's re-exports. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import * as asma from '../src/index.js';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    return { code: await main(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

it('asma data --help lists the data subcommands (it said "unknown command")', async () => {
  const r = await run('data', '--help');
  expect(r.code).toBe(0);
  expect(r.out).toContain('usage: asma data <synth|ntu|pku>');
  expect(r.out).toContain('asma data ntu');
  const bare = await run('data');
  expect(bare.code).toBe(2);
  expect(bare.err).toContain("'data' needs a subcommand");
});

it('asma --version and asma help <command>', async () => {
  expect(await run('--version')).toMatchObject({ code: 0, out: `asma ${pkg.version}` });
  const help = await run('help', 'eval');
  expect(help.code).toBe(0);
  expect(help.out).toMatch(/^usage: asma eval/);
});

it('the bin that pnpm links runs the CLI (pnpm exec asma)', () => {
  expect(pkg.bin.asma).toBe('./bin/asma.mjs');
  const r = spawnSync(process.execPath, [join(root, pkg.bin.asma), '--version'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe(`asma ${pkg.version}`);
  expect(r.status).toBe(0);
  const rootPkg = JSON.parse(readFileSync(join(root, '..', '..', 'package.json'), 'utf8'));
  expect(rootPkg.scripts.asma).toBe('node packages/asma/bin/asma.mjs');
  expect(rootPkg.devDependencies.asma).toBe('workspace:*');
});

it('re-exports the libraries, flat and by package', () => {
  for (const name of [
    'Tensor',
    'readNpy',
    'convertNtu',
    'pretrain',
    'loadAnyClassifier',
    'Rng',
    'ProgressBar',
  ])
    expect(typeof (asma as Record<string, unknown>)[name], name).toBe('function');
  expect(asma.ModuleList).toBe(asma.autodiff.ModuleList);
  expect(typeof asma.trainer.ModuleList).toBe('function');
  expect(typeof asma.viewer.serveSite).toBe('function');
  expect(typeof asma.masking).toBe('object');
  expect(asma.util.Rng).toBe(asma.Rng);
});
