import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy, writeNpy } from '@asma/skeleton/node';
import { afterAll, expect, it } from 'vitest';
import { UsageError } from '../src/command.js';
import { embedCommand } from '../src/commands/embed.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-embed-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// A small ST-GCN (base width 4, 16-d features) written by @asma/trainer and checked in PyTorch.
const checkpoint = fileURLToPath(
  new URL('../../trainer/test/fixtures/interop-ts-stgcn.safetensors', import.meta.url),
);

it('asma embed encodes every clip', async () => {
  const data = join(dir, 'x.npy');
  writeNpy(
    data,
    new Float32Array(3 * 3 * 10 * 25 * 2).map((_, i) => Math.sin(i)),
    [3, 3, 10, 25, 2],
  );
  const out = join(dir, 'z.npy');
  expect(
    await embedCommand.run(['--checkpoint', checkpoint, '--data', data, '--out', out, '--batch', '2']),
  ).toBe(0);
  expect(readNpy(out).shape).toEqual([3, 16]);
});

it('rejects bad arguments with a UsageError', async () => {
  await expect(embedCommand.run([])).rejects.toThrow(UsageError);
  await expect(
    embedCommand.run(['--checkpoint', checkpoint, '--data', 'nope.npy', '--out', 'z.npy']),
  ).rejects.toThrow(/--data: no such file 'nope.npy'/);
  await expect(
    embedCommand.run(['--checkpoint', checkpoint, '--data', checkpoint, '--out', 'z.npy', '--batch', '0']),
  ).rejects.toThrow(/--batch/);
});

it("--help states the feature width as the encoder's, not a fixed 256", () => {
  expect(embedCommand.help).not.toContain('(N, 256)');
  expect(embedCommand.help).toContain('(N, F) float32 features');
  expect(embedCommand.summary).not.toContain('256');
});
