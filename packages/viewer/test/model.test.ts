import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maxRelativeError, noGrad, randn, Tensor } from '@asma/autodiff';
import { createStudent } from '@asma/compress';
import { saveClassifier } from '@asma/compress/node';
import type { BatchShape } from '@asma/skeleton';
import { Rng } from '@asma/util';
import { expect, it } from 'vitest';
import { classifyClip, loadClassifierBytes } from '../src/core/model.js';

it('on the CPU, classifies through the compiled plan (one per clip shape) and equals the eager model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'asma-viewer-model-'));
  try {
    const path = join(dir, 'student.safetensors');
    saveClassifier(createStudent(7, {}, 3), path);
    const c = loadClassifierBytes(new Uint8Array(readFileSync(path)), 'student.safetensors');
    const rng = new Rng(1);
    for (const frames of [20, 20, 24]) {
      const shape: BatchShape = [1, 3, frames, 25, 2];
      const data = randn([...shape], rng).data as Float32Array;
      const got = await classifyClip(c, { data, shape });
      const want = noGrad(() => c.model.forward(new Tensor(data, [...shape]))).data as Float32Array;
      expect(got).toHaveLength(7);
      expect(maxRelativeError(got, want)).toBeLessThan(1e-5);
    }
    expect([...c.plans.keys()]).toEqual(['1,3,20,25,2', '1,3,24,25,2']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
