/**
 * Runs an exported ONNX model in onnxruntime-node (when installed: it is an optional, development-time
 * dependency) and compares its logits with ours. Loaded by name at run time so that the package builds
 * and works without it.
 */

interface OrtTensor {
  data: Float32Array;
  dims: readonly number[];
}
interface OrtModule {
  InferenceSession: {
    create(
      bytes: Uint8Array,
      opts?: Record<string, unknown>,
    ): Promise<{
      run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
      release?(): Promise<void>;
    }>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

export type OnnxRuntime = { ok: true; ort: OrtModule } | { ok: false; reason: string };

/** onnxruntime-node if it can be loaded here, or why not. */
export async function loadOnnxRuntime(): Promise<OnnxRuntime> {
  const name = 'onnxruntime-node';
  try {
    const mod = (await import(name)) as OrtModule & { default?: OrtModule };
    return { ok: true, ort: mod.InferenceSession ? mod : mod.default! };
  } catch (err) {
    return {
      ok: false,
      reason: `onnxruntime-node is not available (${(err as Error).message.split('\n')[0]})`,
    };
  }
}

/** Logits of clips (N, C, T, V, M) under an ONNX model in onnxruntime (1 intra-op thread). */
export async function runOnnx(
  ort: OrtModule,
  model: Uint8Array,
  clips: Float32Array,
  shape: readonly number[],
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const out = await session.run({ clips: new ort.Tensor('float32', clips, shape) });
  await session.release?.();
  return Float32Array.from(out.logits!.data);
}

export interface OnnxCheck {
  /** false when onnxruntime-node could not be loaded (see reason). */
  ran: boolean;
  reason?: string;
  /** max |onnx - ours| / max |ours| over all logits. */
  relativeError?: number;
  maxAbsError?: number;
}

/** Compare onnxruntime's logits with `expected` for the same clips. */
export async function checkOnnx(
  model: Uint8Array,
  clips: Float32Array,
  shape: readonly number[],
  expected: ArrayLike<number>,
): Promise<OnnxCheck> {
  const rt = await loadOnnxRuntime();
  if (!rt.ok) return { ran: false, reason: rt.reason };
  const got = await runOnnx(rt.ort, model, clips, shape);
  if (got.length !== expected.length)
    throw new Error(`checkOnnx: onnxruntime gave ${got.length} logits, expected ${expected.length}`);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return { ran: true, maxAbsError: err, relativeError: err / Math.max(scale, 1e-12) };
}
