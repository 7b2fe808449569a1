/** Issue 21 defects 4 and 6: a full disk leaves no temporary file behind, and the error names the file. */
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@asma/util/node';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { NpyWriter, writeNpy } from '../src/node/npy-file.js';

// writeSync fails with ENOSPC while `full` is set, as on a full disk.
let full = false;
vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  return {
    ...real,
    writeSync: (...args: Parameters<typeof real.writeSync>) => {
      if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return (real.writeSync as (...a: unknown[]) => number)(...args);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'asma-full-disk-'));
afterEach(() => {
  full = false;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('NpyWriter on a full disk throws naming the file and leaves no (0-byte) temporary', () => {
  full = true;
  const path = join(dir, 'z.npy');
  let error: (Error & { code?: string }) | null = null;
  try {
    new NpyWriter(path, '<f4', [4]);
  } catch (err) {
    error = err as Error;
  }
  expect(error?.message).toBe(`${path}: ENOSPC: no space left on device, write`);
  expect(error?.code).toBe('ENOSPC');
  expect(readdirSync(dir)).toEqual([]);
  expect(fs.existsSync(path)).toBe(false);
});

it('a failed append names the file, and abort leaves nothing', () => {
  const path = join(dir, 'y.npy');
  const w = new NpyWriter(path, '<f4', [2]);
  full = true;
  expect(() => w.append(new Float32Array(4))).toThrow(`${path}: ENOSPC`);
  w.abort();
  expect(readdirSync(dir)).toEqual([]);
});

it('writeFileAtomic and writeNpy on a full disk name the file and leave nothing', () => {
  full = true;
  const path = join(dir, 'x.npy');
  expect(() => writeNpy(path, new Float32Array(3), [3])).toThrow(`${path}: ENOSPC: no space left on device`);
  expect(() => writeFileAtomic(join(dir, 'w.txt'), 'text')).toThrow(`${join(dir, 'w.txt')}: ENOSPC`);
  expect(readdirSync(dir)).toEqual([]);
});
