/**
 * --backend and ASMA_BACKEND at the command line: every command that computes takes a device backend;
 * webgpu without an adapter fails at once with the reason (never a silent fallback); auto says on its
 * first line which backend it took.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { openWebGpu, parseBackend } from '../src/backend.js';
import { main } from '../src/cli.js';
import { commands } from '../src/commands/index.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-backend-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

/** Why this machine has no WebGPU, or null when it has an adapter. */
async function noWebGpu(): Promise<string | null> {
  try {
    (await openWebGpu()).destroy();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    lines.push(a.map(String).join(' '));
  });
  vi.spyOn(console, 'log').mockImplementation(() => {});
  return lines;
}

it('every command that computes runs on a device backend', () => {
  expect(
    commands
      .filter((c) => c.onDevice)
      .map((c) => c.path.join(' '))
      .sort(),
  ).toEqual(
    [
      'align',
      'bench',
      'bench-infer',
      'demo',
      'distill',
      'embed',
      'eval',
      'finetune',
      'linear',
      'pretrain',
      'reproduce',
      'semi',
    ].sort(),
  );
});

it('parses --backend, --backend= and ASMA_BACKEND (the option wins), and refuses other names', () => {
  expect(parseBackend(['pretrain', '--backend', 'webgpu', '--x'], {})).toEqual({
    backend: 'webgpu',
    rest: ['pretrain', '--x'],
  });
  expect(parseBackend(['--backend=auto', 'eval'], {}).backend).toBe('auto');
  expect(parseBackend(['eval'], { ASMA_BACKEND: 'webgpu' }).backend).toBe('webgpu');
  expect(parseBackend(['eval', '--backend', 'cpu'], { ASMA_BACKEND: 'webgpu' }).backend).toBe('cpu');
  expect(parseBackend(['eval'], {}).backend).toBe('cpu');
  expect(() => parseBackend(['eval'], { ASMA_BACKEND: 'cuda' })).toThrow(
    "ASMA_BACKEND: expected one of cpu, webgpu, auto, got 'cuda'",
  );
});

it('a command that does not compute refuses a device backend, naming those that do', async () => {
  const err = captureStderr();
  expect(await main(['masks', '--backend', 'webgpu'])).toBe(2);
  const said = err.join('\n');
  expect(said).toContain(
    'asma masks: --backend webgpu: this command runs on the CPU only so far (the commands that run on WebGPU: ',
  );
  for (const c of ['pretrain', 'demo', 'bench-infer']) expect(said).toContain(c);
});

it('webgpu without an adapter fails at once with the reason; auto says which it took on the first line', async () => {
  const why = await noWebGpu();
  const out = join(dir, 'z.npy');
  // An embed whose inputs do not exist: the backend is opened (or refused) before they are read.
  const args = ['embed', '--checkpoint', join(dir, 'none'), '--data', join(dir, 'none'), '--out', out];
  let err = captureStderr();
  const code = await main([...args, '--backend', 'webgpu']);
  if (why !== null) {
    expect(code).toBe(2);
    expect(err.at(-1)).toBe(`asma embed: --backend webgpu: ${why}\n(see --help)`);
  } else {
    expect(err[0]).toMatch(/^asma: backend webgpu \(/);
  }
  vi.restoreAllMocks();
  err = captureStderr();
  await main([...args, '--backend', 'auto']);
  expect(err[0]).toBe(
    why === null
      ? expect.stringMatching(/^asma: backend webgpu \(/)
      : `asma: backend cpu (auto: no WebGPU: ${why})`,
  );
});
