#!/usr/bin/env node
/**
 * Packs what a bare GPU host (x86-64 Linux, no Node, no network) needs to run asma on its GPU:
 *   node.xz          this machine's Node executable, xz-compressed
 *   asma.tar.xz      packages/asma built, with its production dependencies only (closure.mjs),
 *                    webgpu's linux-x64 Dawn binary among them
 *   libvulkan1_*.deb Debian's Vulkan loader (amd64), which Dawn loads and bare hosts lack
 *   libglvnd0_*.deb  libGLdispatch, which the NVIDIA Vulkan driver (libGLX_nvidia) links against;
 *                    arrive.sh unpacks each only where the host lacks its library
 *   manifest.json    versions, sizes and the settings used
 * Usage (from anywhere in the repo, after `pnpm build`):
 *   node tools/gpu-host/pack.mjs [--out .gpu-host] [--xz-level 3] [--node PATH] [--debs-from DIR]
 *                                [--max-mib 60]
 * The bundle is written to a temporary folder beside --out and renamed at the end, so an
 * interrupted pack never leaves a half-written bundle. See README.md beside this file.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyClosure } from './closure.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MiB = 1024 * 1024;

function parseArgs(argv) {
  const opts = {
    out: join(repoRoot, '.gpu-host'),
    xzLevel: 3,
    node: null,
    debsFrom: null,
    maxMiB: 60,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`pack: ${flag} needs a value`);
      return v;
    };
    if (flag === '--out') opts.out = resolve(value());
    else if (flag === '--xz-level') opts.xzLevel = Number(value());
    else if (flag === '--node') opts.node = resolve(value());
    else if (flag === '--debs-from') opts.debsFrom = resolve(value());
    else if (flag === '--max-mib') opts.maxMiB = Number(value());
    else if (flag === '--help' || flag === '-h') {
      console.log('usage: node tools/gpu-host/pack.mjs [--out DIR] [--xz-level 0-9] [--node PATH]');
      console.log('                                    [--debs-from DIR] [--max-mib N]');
      process.exit(0);
    } else throw new Error(`pack: unknown option ${flag} (see --help)`);
  }
  if (!Number.isInteger(opts.xzLevel) || opts.xzLevel < 0 || opts.xzLevel > 9) {
    throw new Error(`pack: --xz-level must be an integer 0..9, got ${opts.xzLevel}`);
  }
  if (!(opts.maxMiB > 0)) throw new Error(`pack: --max-mib must be a positive number, got ${opts.maxMiB}`);
  return opts;
}

/** The `node` on PATH (what a user would run), as the brief for the GPU host says; else this one. */
function defaultNode() {
  const r = spawnSync('bash', ['-c', 'command -v node'], { encoding: 'utf8' });
  const found = r.status === 0 ? r.stdout.trim() : '';
  return found !== '' ? found : process.execPath;
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (r.error) throw new Error(`pack: cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`pack: ${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr ?? '').trim()}`);
  }
  return r.stdout ?? '';
}

/** The Debian packages the host may lack, and the library whose presence makes each unnecessary there. */
const DEBS = [
  { pkg: 'libvulkan1', lib: 'libvulkan.so.1' },
  { pkg: 'libglvnd0', lib: 'libGLdispatch.so.0' },
];

/** `pkg` for amd64 into `dir`: from `from` when given, else apt-get download (one `apt-get update` if stale). */
function fetchDeb(pkg, dir, from) {
  const pick = (d) => readdirSync(d).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('_amd64.deb'));
  if (from) {
    const found = pick(from);
    if (!found) throw new Error(`pack: --debs-from ${from} has no ${pkg}_*_amd64.deb`);
    copyFileSync(join(from, found), join(dir, found));
    return join(dir, found);
  }
  const download = () => spawnSync('apt-get', ['download', `${pkg}:amd64`], { cwd: dir, encoding: 'utf8' });
  let r = download();
  if (r.status !== 0) {
    const update = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8' });
    if (update.status === 0) r = download();
  }
  if (r.error || r.status !== 0) {
    throw new Error(
      `pack: apt-get download ${pkg}:amd64 failed (${(r.stderr ?? r.error?.message ?? '').trim()}); ` +
        'run `apt-get update`, or pass --debs-from DIR',
    );
  }
  const deb = pick(dir);
  if (!deb) throw new Error(`pack: apt-get download left no ${pkg}_*_amd64.deb in ${dir}`);
  return join(dir, deb);
}

/** The .deb's version, after checking that it is `pkg` for amd64. */
function checkDeb(file, pkg) {
  const fields = run('dpkg-deb', ['-f', file, 'Package', 'Version', 'Architecture']);
  const get = (k) => (fields.match(new RegExp(`^${k}: (.*)$`, 'm')) ?? [])[1];
  if (get('Package') !== pkg || get('Architecture') !== 'amd64') {
    throw new Error(`pack: ${file}: expected Package ${pkg}, Architecture amd64; got ${fields.trim()}`);
  }
  return get('Version');
}

const sizeOf = (file) => statSync(file).size;
const mib = (bytes) => (bytes / MiB).toFixed(1);

function gitCommit() {
  const r = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) return null;
  return r.stdout.trim() + (dirty.stdout?.trim() ? '+dirty' : '');
}

function main() {
  const t0 = performance.now();
  const opts = parseArgs(process.argv.slice(2));
  const asmaDir = join(repoRoot, 'packages', 'asma');
  const cli = join(asmaDir, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`pack: ${cli} is missing: run \`pnpm build\` first`);
  const nodeBin = opts.node ?? defaultNode();
  const nodeVersion = run(nodeBin, ['--version']).trim();
  const xz = ['-T2', `-${opts.xzLevel}`];

  const staging = `${opts.out}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    // The project and its production dependencies, as one xz'd tar (Dawn alone is 21 MB raw).
    const app = join(staging, 'app');
    const closure = copyClosure(asmaDir, repoRoot, join(app, 'asma'));
    if (!closure.packages.some((p) => p.name === 'webgpu')) {
      throw new Error('pack: the closure of packages/asma has no webgpu package: run pnpm install first');
    }
    const dawn = join(app, 'asma', 'node_modules', 'webgpu', 'dist', 'linux-x64', 'dawn.node');
    if (!existsSync(dawn)) throw new Error(`pack: ${dawn} is missing from the webgpu package`);
    run('bash', [
      '-o',
      'pipefail',
      '-c',
      `tar -C "$1" -cf - asma | xz ${xz.join(' ')} > "$2"`,
      'pack',
      app,
      join(staging, 'asma.tar.xz'),
    ]);
    rmSync(app, { recursive: true, force: true });

    run('bash', [
      '-o',
      'pipefail',
      '-c',
      `xz ${xz.join(' ')} -c "$1" > "$2"`,
      'pack',
      nodeBin,
      join(staging, 'node.xz'),
    ]);

    const debs = DEBS.map(({ pkg, lib }) => {
      const file = fetchDeb(pkg, staging, opts.debsFrom);
      return { package: pkg, version: checkDeb(file, pkg), file: basename(file), provides: lib };
    });

    const files = readdirSync(staging).sort();
    const sizes = Object.fromEntries(files.map((f) => [f, sizeOf(join(staging, f))]));
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    const manifest = {
      created: new Date().toISOString(),
      commit: gitCommit(),
      node: { version: nodeVersion, from: nodeBin, bytes: sizeOf(nodeBin) },
      asma: { root: closure.root, uncompressedBytes: closure.bytes, packages: closure.packages },
      debs,
      xz: xz.join(' '),
      target: 'linux-x64',
      bytes: sizes,
    };
    writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const totalWithManifest = total + sizeOf(join(staging, 'manifest.json'));
    if (totalWithManifest > opts.maxMiB * MiB) {
      throw new Error(`pack: the bundle is ${mib(totalWithManifest)} MiB, over --max-mib ${opts.maxMiB}`);
    }
    rmSync(opts.out, { recursive: true, force: true });
    renameSync(staging, opts.out);

    for (const f of files) console.log(`${mib(sizes[f]).padStart(6)} MiB  ${f}`);
    console.log(
      `bundle ${opts.out}: ${mib(totalWithManifest)} MiB (limit ${opts.maxMiB}); node ${nodeVersion}, ` +
        `asma ${mib(closure.bytes)} MiB unpacked in ${closure.packages.length} packages, ` +
        `${debs.map((d) => `${d.package} ${d.version}`).join(', ')}; packed in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
