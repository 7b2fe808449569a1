/**
 * The GPU host recipe (tools/gpu-host/): pack a bundle here, unpack it as a bare host would
 * (arrive.sh), and start `asma --help` and the Dawn probe with the packed Node. The bundle is packed
 * with `xz -0` rather than the recipe's `-3` to keep CI short (19-75 s for this file on the loaded
 * 2-core machine, against 95-164 s for a `-3` pack);
 * everything else is the recipe as shipped. Needs the built dist (pnpm test runs tsc -b first), xz,
 * dpkg-deb and apt-get (libvulkan1 is downloaded). The Vulkan loader is unpacked into the temp folder,
 * never into /.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const tools = join(repo, 'tools', 'gpu-host');
const LIMIT_MIB = 60;
// Chromium's SwiftShader Vulkan driver (Debian's chromium, which CI installs): a CPU adapter for Dawn.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

let work: string;
let bundle: string;
let home: string;
let packOutput = '';

/** Runs bash with the bundle's environment: arrive.sh sourced, then `script`. */
function inArrived(script: string, env: Record<string, string> = {}) {
  return spawnSync('bash', ['-c', `. "${tools}/arrive.sh" "${bundle}" >/dev/null || exit 90; ${script}`], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ASMA_GPU_HOME: home, ASMA_GPU_VULKAN_PREFIX: join(home, 'vulkan'), ...env },
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'asma-gpu-host-'));
  bundle = join(work, 'bundle');
  home = join(work, 'home');
  const r = spawnSync(
    process.execPath,
    [join(tools, 'pack.mjs'), '--out', bundle, '--xz-level', '0', '--max-mib', String(LIMIT_MIB)],
    { cwd: repo, encoding: 'utf8', timeout: 240_000 },
  );
  packOutput = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`pack.mjs exited ${r.status}: ${packOutput}`);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('GPU host bundle (tools/gpu-host)', () => {
  it('holds Node, asma, the Vulkan loader, libGLdispatch and a manifest, under the size limit', () => {
    const files = readdirSync(bundle).sort();
    expect(files).toContain('node.xz');
    expect(files).toContain('asma.tar.xz');
    expect(files).toContain('manifest.json');
    expect(files.some((f) => /^libvulkan1_.*_amd64\.deb$/.test(f))).toBe(true);
    expect(files.some((f) => /^libglvnd0_.*_amd64\.deb$/.test(f))).toBe(true);
    const total = files.reduce((sum, f) => sum + statSync(join(bundle, f)).size, 0);
    expect(total).toBeLessThan(LIMIT_MIB * 1024 * 1024);
    expect(packOutput).toMatch(/bundle .*: [\d.]+ MiB \(limit 60\)/);
  });

  it('carries the production dependencies only', () => {
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
    const names: string[] = manifest.asma.packages.map((p: { name: string }) => p.name);
    for (const needed of ['webgpu', '@asma/kernels', '@asma/autodiff', '@asma/trainer', 'ndarray']) {
      expect(names).toContain(needed);
    }
    // Dev-only tools and type-only packages stay behind.
    for (const dev of [
      'esbuild',
      'playwright-core',
      'vitest',
      'typescript',
      '@biomejs/biome',
      'onnxruntime-node',
    ]) {
      expect(names).not.toContain(dev);
    }
    expect(names.filter((n) => n.startsWith('@types/'))).toEqual([]);
  });

  it('arrives: the packed Node starts asma --help, with webgpu for linux-x64 only', () => {
    const r = inArrived('command -v node; node --version; node "$ASMA_CLI" --help');
    expect(r.status, r.stderr).toBe(0);
    const [nodePath, nodeVersion] = r.stdout.split('\n');
    expect(nodePath).toBe(join(home, 'bin', 'node'));
    expect(nodeVersion).toBe(process.version); // the pack took this machine's node
    expect(r.stdout).toContain('usage: asma <command>');
    expect(readdirSync(join(home, 'asma', 'node_modules', 'webgpu', 'dist'))).toEqual(['linux-x64']);
    expect(existsSync(join(home, 'asma', 'src'))).toBe(false);
    expect(existsSync(join(home, 'vulkan', 'usr', 'lib', 'x86_64-linux-gnu', 'libvulkan.so.1'))).toBe(true);
  });

  it('arrives again without unpacking again', () => {
    const before = statSync(join(home, 'bin', 'node')).mtimeMs;
    const r = inArrived('node "$ASMA_CLI" --help >/dev/null && echo ok');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('ok');
    expect(statSync(join(home, 'bin', 'node')).mtimeMs).toBe(before);
  });

  it('loads Dawn with the packed Node; with a Vulkan driver the probe computes exactly', () => {
    const out = join(work, 'probe.json');
    const swiftshader = existsSync(SWIFTSHADER_ICD);
    const r = inArrived(`node "${tools}/probe.mjs" --out "${out}" --timeout-s 60`, {
      VK_DRIVER_FILES: swiftshader ? SWIFTSHADER_ICD : join(work, 'no-such-icd.json'),
    });
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.webgpu?.version, report.error).toBe('0.6.2');
    expect(report.node).toBe(process.version);
    if (swiftshader) {
      expect(r.status, report.error).toBe(0);
      expect(report.adapter.architecture).toBe('swiftshader');
      expect(report.adapter.limits.maxComputeWorkgroupSizeX).toBeGreaterThanOrEqual(64);
      expect(report.compute).toMatchObject({ elements: 1000, wrong: 0 });
    } else {
      // Dawn loaded and said plainly that no adapter answered.
      expect(r.status).toBe(2);
      expect(report.adapter).toBeNull();
      expect(report.error).toMatch(/requestAdapter\(\) returned null/);
    }
  });
});
