import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic, sliceBatch, writeNpy } from '@asma/skeleton';
import { afterAll, expect, it } from 'vitest';
import { UsageError } from '../src/command.js';
import { masksCommand } from '../src/commands/masks.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-masks-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('asma masks draws the ASMa pair for one clip', async () => {
  const clips = sliceBatch(generateSynthetic({ seed: 1, samplesPerClass: 1 }), 0, 2);
  const data = join(dir, 'x.npy');
  writeNpy(data, clips.data, clips.shape);
  const out = join(dir, 'masks.svg');
  expect(await masksCommand.run(['--data', data, '--index', '1', '--out', out])).toBe(0);
  const svg = readFileSync(out, 'utf8');
  expect(svg).toContain('asma-a');
  expect(svg).toContain('asma-b');
});

it('rejects bad arguments with a UsageError', async () => {
  await expect(masksCommand.run([])).rejects.toThrow(UsageError);
  await expect(masksCommand.run(['--data', 'nope.npy', '--out', 'm.svg'])).rejects.toThrow(
    /--data: no such file 'nope.npy'/,
  );
  const data = join(dir, 'y.npy');
  writeNpy(data, new Float32Array(3 * 50 * 25 * 2), [1, 3, 50, 25, 2]);
  await expect(masksCommand.run(['--data', data, '--out', 'm.svg', '--strategy', 'mae'])).rejects.toThrow(
    /--strategy must be asma, pstl or random/,
  );
  await expect(masksCommand.run(['--data', data, '--out', 'm.svg', '--index', '-1'])).rejects.toThrow(
    /--index/,
  );
});
