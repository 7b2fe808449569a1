import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic, sliceBatch } from '@asma/skeleton';
import { writeNpy } from '@asma/skeleton/node';
import { loadClassifierBytes } from '@asma/viewer';
import { SITE_DIR } from '@asma/viewer/node';
import { afterAll, expect, it, vi } from 'vitest';
import { UsageError } from '../src/command.js';
import { startView, viewCommand } from '../src/commands/view.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-view-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('asma view serves the built site on 127.0.0.1 with a given clip file, then stops', async () => {
  const clips = sliceBatch(generateSynthetic({ seed: 1, samplesPerClass: 1, classes: 2 }), 0, 2);
  const data = join(dir, 'x.npy');
  writeNpy(data, clips.data, clips.shape);
  const model = join(SITE_DIR, '..', '..', 'fixtures', 'student.safetensors');
  const server = await startView(['--port', '0', '--data', data, '--index', '1', '--model', model]);
  try {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(server.url);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('asma viewer');
    const app = await fetch(new URL('app.js', server.url));
    expect(app.headers.get('content-type')).toMatch(/^text\/javascript/);
    const config = await (await fetch(new URL('config.json', server.url))).json();
    expect(config).toMatchObject({ index: 1, labels: null });
    const npy = new Uint8Array(await (await fetch(new URL(config.data, server.url))).arrayBuffer());
    expect(npy.length).toBe(128 + clips.data.byteLength);
    expect((await fetch(new URL('nothing-here.js', server.url))).status).toBe(404);
  } finally {
    await server.close();
  }
});

it("class names from the data's meta.json reach the page's classifier", async () => {
  const clips = sliceBatch(generateSynthetic({ seed: 1, samplesPerClass: 1, classes: 2 }), 0, 2);
  const split = join(dir, 'named');
  mkdirSync(split);
  const data = join(split, 'val_position.npy');
  writeNpy(data, clips.data, clips.shape);
  const names = Array.from({ length: 16 }, (_, i) => `action ${i + 1}`);
  writeFileSync(join(split, 'meta.json'), JSON.stringify({ numClasses: 16, classNames: names }));
  const model = join(SITE_DIR, '..', '..', 'fixtures', 'student.safetensors');
  const server = await startView(['--port', '0', '--data', data, '--model', model]);
  try {
    const config = await (await fetch(new URL('config.json', server.url))).json();
    const bytes = new Uint8Array(await (await fetch(new URL(config.model, server.url))).arrayBuffer());
    expect(loadClassifierBytes(bytes).classNames).toEqual(names);
  } finally {
    await server.close();
  }
});

it('run prints the URL and serves until SIGINT', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const done = viewCommand.run(['--port', '0']);
  await vi.waitFor(() => expect(log).toHaveBeenCalled(), { timeout: 20_000 });
  const url = String(log.mock.calls[0]![0]).match(/http:\/\/\S+/)![0];
  expect((await fetch(url)).status).toBe(200);
  process.emit('SIGINT');
  expect(await done).toBe(0);
  await expect(fetch(url)).rejects.toThrow();
  log.mockRestore();
});

it('rejects bad options before serving', async () => {
  await expect(startView(['--host', '0.0.0.0'])).rejects.toThrow(/--host must be a loopback address/);
  await expect(startView(['--port', '70000'])).rejects.toThrow(UsageError);
  await expect(startView(['--data', join(dir, 'nope.npy')])).rejects.toThrow(/--data: no such file/);
  await expect(startView(['--index', '2'])).rejects.toThrow(/--index needs --data/);
  const bad = join(dir, 'bad.safetensors');
  writeFileSync(bad, 'not a model');
  await expect(startView(['--model', bad])).rejects.toThrow(/--model: .*not a safetensors file/);
  const flat = join(dir, 'flat.npy');
  writeNpy(flat, new Float32Array(6), [2, 3]);
  await expect(startView(['--data', flat])).rejects.toThrow(/expected \(N, 3, T, 25, M\)/);
});
