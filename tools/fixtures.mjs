#!/usr/bin/env node
/**
 * `pnpm fixtures`: regenerate every PyTorch and NumPy test fixture with its generator script, and
 * record in tools/fixtures-manifest.json each generator's hash (and its local helpers'), the hashes
 * of the files it wrote, and the torch / numpy versions it ran with. packages/asma/test/
 * fixtures-manifest.test.ts compares the recorded hashes with the scripts and fixtures in the tree,
 * so a generator edited without regenerating (or a fixture edited by hand) fails the tests.
 *
 * Python: $ASMA_PYTHON, else /usr/bin/python3 (Debian's python3-torch), else python3. A generator
 * whose modules are missing is skipped with a message and keeps its recorded entry.
 * Usage: node tools/fixtures.mjs [script ...]   (default: every generator)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MANIFEST = join(root, 'tools', 'fixtures-manifest.json');

/** Every fixture generator: the script, local modules it imports, Python modules it needs, and its working directory. */
const GENERATORS = [
  { script: 'tools/make_npy_fixtures.py', modules: ['numpy'] },
  { script: 'tools/make_augment_fixture.py', modules: ['torch', 'numpy'] },
  { script: 'tools/torch/autodiff_ops.py', modules: ['torch'] },
  { script: 'tools/torch/golden_autodiff.py', modules: ['torch'] },
  { script: 'tools/torch/masking_fixture.py', modules: ['torch', 'numpy'] },
  { script: 'tools/torch/stgcn_reference.py', helpers: ['tools/torch/safetensors_py.py'], modules: ['torch', 'numpy'] },
  {
    script: 'packages/skeleton/test/fixtures/ntu/make_frame50_fixture.py',
    modules: ['numpy', 'cv2'],
    cwd: 'packages/skeleton/test/fixtures/ntu',
  },
];

export function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function python() {
  if (process.env.ASMA_PYTHON) return process.env.ASMA_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Versions of the given Python modules, or the first one missing. */
function moduleVersions(py, modules) {
  const code = `import importlib, json, sys\nv = {}\nfor m in sys.argv[1:]:\n  try:\n    v[m] = importlib.import_module(m).__version__\n  except ImportError:\n    print(json.dumps({'missing': m})); sys.exit(0)\nprint(json.dumps(v))`;
  const r = spawnSync(py, ['-c', code, ...modules], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fixtures: ${py} failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout);
}

/** Files under packages/<name>/test and packages/viewer/fixtures changed since `since` (ms). */
function writtenSince(since) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(p);
      } else if (statSync(p).mtimeMs >= since) out.push(relative(root, p));
    }
  };
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const dir = join(root, 'packages', pkg, 'test');
    if (existsSync(dir)) walk(dir);
  }
  return out.sort();
}

function main(only) {
  const py = python();
  const manifest = existsSync(MANIFEST) ? JSON.parse(readFileSync(MANIFEST, 'utf8')) : { generators: {} };
  let failed = false;
  for (const g of GENERATORS) {
    if (only.length > 0 && !only.includes(g.script)) continue;
    const versions = moduleVersions(py, g.modules);
    if (versions.missing) {
      console.log(`skipped ${g.script}: Python module '${versions.missing}' is missing (${py})`);
      continue;
    }
    const since = Date.now() - 1;
    console.log(`running ${g.script} ...`);
    const r = spawnSync(py, [join(root, g.script)], { cwd: join(root, g.cwd ?? ''), stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`fixtures: ${g.script} exited with ${r.status ?? r.signal}`);
      failed = true;
      continue;
    }
    const before = manifest.generators[g.script]?.outputs ?? {};
    const outputs = Object.fromEntries(writtenSince(since).map((p) => [p, sha256(join(root, p))]));
    for (const [p, h] of Object.entries(outputs))
      if (before[p] !== undefined && before[p] !== h) console.log(`  changed: ${p}`);
    manifest.generators[g.script] = {
      inputs: Object.fromEntries([g.script, ...(g.helpers ?? [])].map((p) => [p, sha256(join(root, p))])),
      python: versions,
      outputs,
    };
    console.log(`  ${Object.keys(outputs).length} files, ${JSON.stringify(versions)}`);
  }
  const tmp = `${MANIFEST}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(tmp, MANIFEST);
  return failed ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(main(process.argv.slice(2)));
