/**
 * The classifier the page runs: an ActionClassifier (encoder.* + fc.*) from the bytes of a
 * safetensors checkpoint that carries its ST-GCN architecture ("asma.stgcn", as asma distill's
 * student.safetensors and scripts/make-model.ts write). Pure: works in Node and in the browser. On a
 * CPU backend a clip runs through the compiled inference plan (the same path as asma bench-infer's
 * "compiled plan" row), on WebGPU through the eager model on the device.
 */
import { decodeSafetensors, noGrad, type SafetensorsFile, Tensor } from '@asma/autodiff';
import { compileClassifier, type InferencePlan } from '@asma/compress';
import { getBackend } from '@asma/kernels';
import { adjacency, NTU25, type SkeletonBatch } from '@asma/skeleton';
import { ActionClassifier, inferArchitecture, loadStateDictInto, StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';

/** Metadata key of the class names (a JSON array of strings). */
export const CLASS_NAMES_KEY = 'asma.classNames';

export interface LoadedClassifier {
  model: ActionClassifier;
  classNames: string[];
  parameters: number;
  /** Compiled CPU inference plans by clip shape, built on first use. */
  plans: Map<string, InferencePlan>;
}

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

function classNamesOf(file: SafetensorsFile, classes: number): string[] {
  const raw = file.metadata[CLASS_NAMES_KEY];
  let names: unknown = [];
  if (raw !== undefined) {
    try {
      names = JSON.parse(raw);
    } catch {
      names = [];
    }
  }
  const list = Array.isArray(names) ? names : [];
  return Array.from({ length: classes }, (_, i) =>
    typeof list[i] === 'string' ? (list[i] as string) : `class ${i}`,
  );
}

/** Build and load the classifier a checkpoint describes (eval mode). */
export function loadClassifierBytes(bytes: Uint8Array, name = 'model.safetensors'): LoadedClassifier {
  let file: SafetensorsFile;
  try {
    file = decodeSafetensors(bytes, name);
  } catch (err) {
    throw new ModelLoadError(`${name}: not a safetensors file (${(err as Error).message})`);
  }
  const fc = file.tensors.get('fc.weight');
  if (!(fc instanceof Tensor) || fc.ndim !== 2)
    throw new ModelLoadError(`${name}: not a classifier checkpoint (no 2-D "fc.weight")`);
  const arch = inferArchitecture(file, name, 'encoder.');
  const a = file.tensors.get('encoder.A');
  const graph =
    a instanceof Tensor
      ? { data: Float32Array.from(a.data), shape: [...a.shape] as [number, number, number] }
      : adjacency(NTU25, 'spatial');
  const rng = new Rng(0);
  const encoder = new StGcn({ rng: rng.fork(), ...arch, graph, dropout: 0 });
  const model = new ActionClassifier(encoder, fc.shape[0]!, rng.fork());
  loadStateDictInto(model, file.tensors, name, {}, file.metadata);
  model.eval();
  let parameters = 0;
  for (const p of model.parameters()) parameters += p.size;
  return { model, classNames: classNamesOf(file, fc.shape[0]!), parameters, plans: new Map() };
}

/**
 * Logits (classes) of one (1, 3, T, 25, M) clip: on a CPU backend from the compiled inference plan
 * for this clip shape, on a device backend from the eager model, read back from the device.
 */
export async function classifyClip(c: LoadedClassifier, clip: SkeletonBatch): Promise<Float32Array> {
  if (getBackend().deviceStorage !== true) {
    const key = clip.shape.join(',');
    let plan = c.plans.get(key);
    if (plan === undefined) {
      const [batch, , frames, , persons] = clip.shape;
      plan = compileClassifier(c.model, { batch, frames, persons });
      c.plans.set(key, plan);
    }
    return Float32Array.from(plan.run(clip.data, clip.shape));
  }
  const out = noGrad(() => c.model.forward(new Tensor(clip.data, [...clip.shape])));
  return Float32Array.from(await out.read());
}
