/** Shared helpers of the trainer's PyTorch-fixture tests (fixtures made by tools/torch/stgcn_reference.py). */
import { fileURLToPath } from 'node:url';
import { IntTensor, maxRelativeError, type SafetensorsFile, Tensor } from '@asma/autodiff';
import { readSafetensors } from '@asma/autodiff/node';
import { expect } from 'vitest';

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

const cache = new Map<string, SafetensorsFile>();

export function loadFixture(name: string): SafetensorsFile {
  let f = cache.get(name);
  if (f === undefined) {
    f = readSafetensors(fixturePath(name));
    cache.set(name, f);
  }
  return f;
}

export function getTensor(f: SafetensorsFile, name: string): Tensor {
  const t = f.tensors.get(name);
  if (!(t instanceof Tensor)) throw new Error(`fixture has no float tensor "${name}"`);
  return t;
}

export function getInts(f: SafetensorsFile, name: string): number[] {
  const t = f.tensors.get(name);
  if (!(t instanceof IntTensor)) throw new Error(`fixture has no int tensor "${name}"`);
  return Array.from(t.data, Number);
}

/** Tensors of a fixture whose names start with `prefix`, with the prefix removed. */
export function withPrefix(f: SafetensorsFile, prefix: string): Map<string, Tensor | IntTensor> {
  const out = new Map<string, Tensor | IntTensor>();
  for (const [k, v] of f.tensors) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), v);
  return out;
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
  expect(err, `${name}: relative error ${err.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
}
