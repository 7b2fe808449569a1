import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSynthetic, sliceBatch } from '@asma/skeleton';
import { writeNpy } from '@asma/skeleton/node';
import { afterAll, expect, it, vi } from 'vitest';
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

it("takes pretrain's mask options and defaults, scaled to the clip length; joints 1-based", async () => {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void lines.push(a.join(' ')));
  try {
    for (const frames of [20, 30]) {
      const clips = sliceBatch(generateSynthetic({ seed: 1, samplesPerClass: 1, frames }), 0, 1);
      const data = join(dir, `f${frames}.npy`);
      writeNpy(data, clips.data, clips.shape);
      // 20 frames failed with "count 10 + randomDrops 10 removes all 20 frames"; 30 drew 10 + 10.
      expect(await masksCommand.run(['--data', data, '--out', join(dir, `f${frames}.svg`)])).toBe(0);
    }
    expect(lines.filter((l) => l.startsWith('asma-a'))).toEqual([
      expect.stringMatching(/frames kept 12\/20$/),
      expect.stringMatching(/frames kept 18\/30$/), // 6 + 6 dropped, as the demo trains on 30 frames
    ]);
    lines.length = 0;
    const data = join(dir, 'f30.npy');
    const args = ['--data', data, '--out', join(dir, 'o.svg'), '--motion-drops', '3', '--random-drops', '2'];
    expect(await masksCommand.run([...args, '--draws', '1', '--strategy', 'pstl'])).toBe(0);
    expect(lines[0]).toMatch(/^pstl: joints masked \(1-based\) \[\d+(, \d+)?\], frames kept 25\/30$/);
    // Indices are 1-based: never 0, up to 25.
    const joints = lines
      .filter((l) => l.includes('joints masked'))
      .flatMap((l) => l.match(/\[(.*)\]/)![1]!.split(', '))
      .filter(Boolean)
      .map(Number);
    for (const j of joints) expect(j >= 1 && j <= 25, String(j)).toBe(true);
  } finally {
    log.mockRestore();
  }
  await expect(
    masksCommand.run([
      '--data',
      join(dir, 'f20.npy'),
      '--out',
      join(dir, 'o.svg'),
      '--motion-drops',
      '10',
      '--random-drops',
      '10',
    ]),
  ).rejects.toThrow('--motion-drops + --random-drops (10 + 10) must be below the 20 frames of the clips');
  expect(masksCommand.help).toContain('1-based');
  expect(masksCommand.help).toContain('--motion-drops');
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
