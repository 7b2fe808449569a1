/**
 * The production dependency closure of a workspace package, copied as a plain folder with a flat
 * node_modules (what `pnpm deploy --prod` would give, without its network look-ups): the package's
 * dependencies and optionalDependencies, recursively, resolved the way Node resolves them from each
 * package's real folder (pnpm's symlinked layout included). Dev dependencies never enter.
 *
 * Pruned on the way, because the bundle goes to one known target (linux x86-64, Node, no browser):
 * type-only packages, workspace sources (`src`, source maps), webgpu's other platforms and its
 * install scripts, and the test, example and docs folders of third-party packages.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** Packages with no runtime code (declarations only): never loaded by Node. */
const TYPE_ONLY = (name) => name.startsWith('@types/') || name === '@webgpu/types';

/** Folders of third-party packages that Node never loads at run time. */
const DROPPED_DIRS = new Set([
  'test',
  'tests',
  '__tests__',
  'example',
  'examples',
  'docs',
  '.github',
  'bench',
]);

/** webgpu ships one Dawn binary per platform (~130 MB in all); the GPU host needs linux-x64 only. */
const TARGET_PLATFORM = 'linux-x64';

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read package.json (${e.message})`);
  }
}

/** Node's lookup: `<dir>/node_modules/<name>` for the folder and each of its ancestors. */
function resolvePackageDir(fromRealDir, name) {
  let dir = fromRealDir;
  for (;;) {
    if (!dir.endsWith(`${sep}node_modules`)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * Walks the production dependencies of the package in `rootDir`. Returns a Map from package name to
 * { name, version, dir (real path), workspace (inside `workspaceRoot`, not under node_modules) },
 * without the root itself. Throws when one name resolves to two different versions (a flat
 * node_modules could not hold both), or when a required dependency is not installed.
 */
export function productionClosure(rootDir, workspaceRoot) {
  const root = realpathSync(rootDir);
  const ws = realpathSync(workspaceRoot);
  const found = new Map();
  const queue = [root];
  while (queue.length > 0) {
    const dir = queue.shift();
    const pkg = readJson(join(dir, 'package.json'));
    const required = Object.keys(pkg.dependencies ?? {});
    const optional = Object.keys(pkg.optionalDependencies ?? {});
    for (const name of [...required, ...optional]) {
      if (TYPE_ONLY(name)) continue;
      const depDir = resolvePackageDir(dir, name);
      if (depDir === null) {
        if (optional.includes(name)) continue;
        throw new Error(
          `${join(dir, 'package.json')}: dependency "${name}" is not installed (run pnpm install first)`,
        );
      }
      const dep = readJson(join(depDir, 'package.json'));
      const seen = found.get(name);
      if (seen) {
        if (seen.dir !== depDir && seen.version !== dep.version) {
          throw new Error(
            `"${name}" is needed at two versions (${seen.version} at ${seen.dir}, ${dep.version} at ${depDir}): ` +
              'a flat node_modules cannot hold both',
          );
        }
        continue;
      }
      const workspace = depDir.startsWith(ws + sep) && !depDir.split(sep).includes('node_modules');
      found.set(name, { name, version: dep.version, dir: depDir, workspace });
      queue.push(depDir);
    }
  }
  return found;
}

/** Copies a folder, skipping what `keep(relPath, isDir)` refuses; returns bytes copied. */
function copyTree(src, dst, keep, rel = '') {
  let bytes = 0;
  mkdirSync(dst, { recursive: true });
  for (const entry of readdirSync(src, { withFileTypes: true })) {
    const relPath = rel === '' ? entry.name : `${rel}/${entry.name}`;
    const from = join(src, entry.name);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && statSync(from).isDirectory());
    if (!keep(relPath, isDir)) continue;
    if (isDir) {
      // A nested node_modules holds pnpm links to other packages: the closure copies those itself.
      if (entry.name === 'node_modules') continue;
      bytes += copyTree(from, join(dst, entry.name), keep, relPath);
    } else {
      copyFileSync(from, join(dst, entry.name));
      bytes += statSync(from).size;
    }
  }
  return bytes;
}

const isMap = (p) => p.endsWith('.map') || p.endsWith('.tsbuildinfo');

/** What a workspace package contributes: package.json, README and its `files` less the sources. */
function workspaceKeep(pkg) {
  const files = new Set((pkg.files ?? ['dist']).filter((f) => f !== 'src'));
  files.add('package.json');
  return (relPath) => {
    const top = relPath.split('/')[0];
    return files.has(top) && !isMap(relPath);
  };
}

/** What a third-party package contributes: everything Node may load. */
function externalKeep(name) {
  return (relPath, isDir) => {
    const parts = relPath.split('/');
    if (isDir && DROPPED_DIRS.has(parts[parts.length - 1])) return false;
    if (isMap(relPath)) return false;
    if (name === 'webgpu') {
      if (parts[0] === 'build') return false; // install-time scripts only
      if (parts[0] === 'dist' && parts.length >= 2 && parts[1] !== TARGET_PLATFORM) return false;
    }
    return true;
  };
}

/**
 * Copies the package in `rootDir` and its production closure into `outDir`: the package's own files
 * at the top, each dependency under `outDir/node_modules/<name>`. Returns a summary for the manifest.
 */
export function copyClosure(rootDir, workspaceRoot, outDir) {
  const rootPkg = readJson(join(rootDir, 'package.json'));
  let bytes = copyTree(realpathSync(rootDir), outDir, workspaceKeep(rootPkg));
  const packages = [];
  for (const dep of productionClosure(rootDir, workspaceRoot).values()) {
    const pkg = readJson(join(dep.dir, 'package.json'));
    const keep = dep.workspace ? workspaceKeep(pkg) : externalKeep(dep.name);
    bytes += copyTree(dep.dir, join(outDir, 'node_modules', dep.name), keep);
    packages.push({ name: dep.name, version: dep.version, workspace: dep.workspace });
  }
  packages.sort((a, b) => a.name.localeCompare(b.name));
  return { bytes, packages, root: relative(realpathSync(workspaceRoot), realpathSync(rootDir)) };
}
