/**
 * One copy of @asma/kernels per install: the active backend is a module-level variable, so with two
 * installed copies setBackend (in one) silently stops reaching the ops (reading the other). Every
 * library that reads or registers the active backend therefore takes @asma/kernels as a peer
 * dependency; only the application (this package, the `asma` command) depends on it directly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

it('libraries that read or register the active backend take @asma/kernels as a peer dependency', () => {
  const users: string[] = [];
  for (const name of readdirSync(packages)) {
    if (name === 'kernels' || name === 'asma') continue;
    const usesBackend = sources(join(packages, name, 'src')).some((f) =>
      /\b(getBackend|setBackend)\b/.test(readFileSync(f, 'utf8')),
    );
    if (!usesBackend) continue;
    users.push(name);
    const pkg = JSON.parse(readFileSync(join(packages, name, 'package.json'), 'utf8'));
    expect(pkg.peerDependencies?.['@asma/kernels'], `${name}: peerDependencies`).toBe('workspace:^');
    expect(pkg.dependencies?.['@asma/kernels'], `${name}: not in dependencies`).toBeUndefined();
  }
  expect(users).toEqual(['autodiff', 'compress', 'viewer']);
});
