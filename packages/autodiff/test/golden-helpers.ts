/** Shared helpers of the golden (PyTorch fixture) tests. */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { IntTensor } from '../src/io/int-tensor.js';
import type { SafetensorsFile } from '../src/io/safetensors.js';
import { readSafetensors } from '../src/node/safetensors.js';
import { Tensor } from '../src/tensor.js';
import { maxRelativeError } from '../src/testing/gradcheck.js';

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

export function loadFixture(name: string): SafetensorsFile {
  return readSafetensors(fixturePath(name));
}

export function getTensor(f: SafetensorsFile, name: string): Tensor {
  const t = f.tensors.get(name);
  if (!(t instanceof Tensor)) throw new Error(`fixture has no float tensor "${name}"`);
  return t;
}

export function getInt(f: SafetensorsFile, name: string): IntTensor {
  const t = f.tensors.get(name);
  if (!(t instanceof IntTensor)) throw new Error(`fixture has no int tensor "${name}"`);
  return t;
}

/** The golden metric (see maxRelativeError in @asma/autodiff). */
export const relErr = maxRelativeError;

/** Assert shape equality and relErr <= tol, naming the tensor on failure. */
export function expectClose(
  name: string,
  actual: Tensor | null | undefined,
  expected: Tensor,
  tol = 1e-4,
): void {
  expect(actual, `${name}: missing`).toBeTruthy();
  expect([...actual!.shape], `${name}: shape`).toEqual([...expected.shape]);
  const err = relErr(actual!.data, expected.data);
  // GOLDEN_REPORT=1 prints every figure (for reports): `GOLDEN_REPORT=1 pnpm vitest run packages/autodiff/test/golden`
  if (process.env.GOLDEN_REPORT) console.log(`golden ${name} ${err.toExponential(2)}`);
  expect(err, `${name}: relative error ${err.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
}
