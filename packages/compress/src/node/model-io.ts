/**
 * Classifiers in the compact container: the float student ('stgcn-classifier': its state dict minus
 * num_batches_tracked) and the int8 model ('stgcn-classifier-int8': folded layers, int8 weights and
 * float scales). The architecture in the header is validated against hard limits and against every
 * tensor's dtype and shape before any model is built, so a hostile file cannot make the loader
 * allocate more than it holds.
 */
import { Tensor } from '@asma/autodiff';
import { adjacency, NTU25 } from '@asma/skeleton';
import { ActionClassifier, architectureOf, StGcn, type StGcnArchitecture } from '@asma/trainer';
import { Rng } from '@asma/util';
import type { ConvLayer, FoldedBlock, FoldedClassifier } from '../folded.js';
import {
  type ModelFileContents,
  ModelFileError,
  type ModelTensor,
  readModelFile,
  writeModelFile,
} from './model-file.js';

export const FLOAT_KIND = 'stgcn-classifier';
export const INT8_KIND = 'stgcn-classifier-int8';

const LIMITS = { channels: 4096, blocks: 64, kt: 63, joints: 1024, k: 16, classes: 100_000, stride: 16 };

/** The default graph is named, not stored: it is 1,875 floats, more than a small student's weights. */
function graphName(a: Float32Array, k: number, v: number): 'ntu25-spatial' | null {
  if (k !== 3 || v !== 25) return null;
  const d = adjacency(NTU25, 'spatial').data;
  return d.length === a.length && d.every((x, i) => x === a[i]) ? 'ntu25-spatial' : null;
}

function f32(shape: number[], data: ArrayLike<number>): ModelTensor {
  return { dtype: 'f32', shape, data: Float32Array.from(data) };
}

/** Write a float classifier; returns the file size in bytes. */
export function saveClassifierModel(
  model: ActionClassifier,
  path: string,
  metadata: Record<string, string> = {},
): number {
  const enc = model.encoder;
  const graph = graphName(enc.A.data as Float32Array, enc.k, enc.numJoints);
  const tensors = new Map<string, ModelTensor>();
  for (const [name, t] of model.stateDict()) {
    if (!(t instanceof Tensor)) continue; // num_batches_tracked: training bookkeeping only
    if (name === 'encoder.A' && graph !== null) continue;
    tensors.set(name, f32([...t.shape], t.data));
  }
  return writeModelFile(path, {
    kind: FLOAT_KIND,
    architecture: { ...architectureOf(enc), classes: model.fc.outFeatures, graph: graph ?? 'stored' },
    metadata,
    tensors,
  });
}

type Fail = (field: string, msg: string) => never;

function int(v: unknown, field: string, lo: number, hi: number, fail: Fail): number {
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi)
    fail(field, `must be an integer in ${lo}..${hi}, got ${JSON.stringify(v)}`);
  return v as number;
}

function obj(v: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'must be an object');
  return v as Record<string, unknown>;
}

function finite(file: string, c: ModelFileContents): void {
  for (const [name, t] of c.tensors)
    if (t.dtype === 'f32')
      for (let i = 0; i < t.data.length; i++)
        if (!Number.isFinite(t.data[i]!))
          throw new ModelFileError(file, `tensor ${name}`, `holds ${t.data[i]} at element ${i}`);
}

function checkKind(file: string, c: ModelFileContents, kind: string): Fail {
  const fail: Fail = (field, msg) => {
    throw new ModelFileError(file, field, msg);
  };
  if (c.kind !== kind) fail('header.kind', `is '${c.kind}', expected '${kind}'`);
  finite(file, c);
  return fail;
}

function graphOf(
  arch: Record<string, unknown>,
  k: number,
  v: number,
  fail: Fail,
): 'ntu25-spatial' | 'stored' {
  if (arch.graph === 'ntu25-spatial') {
    if (k !== 3 || v !== 25)
      fail('architecture.graph', `'ntu25-spatial' needs k = 3 and 25 joints, got ${k} and ${v}`);
    return 'ntu25-spatial';
  }
  if (arch.graph !== 'stored')
    fail('architecture.graph', `must be 'ntu25-spatial' or 'stored', got ${JSON.stringify(arch.graph)}`);
  return 'stored';
}

/** Validate the float architecture (limits and chaining) and return it. */
function floatArchitecture(raw: unknown, fail: Fail): StGcnArchitecture & { classes: number; graph: string } {
  const a = obj(raw, 'architecture', fail);
  const inChannels = int(a.inChannels, 'architecture.inChannels', 1, LIMITS.channels, fail);
  const numJoints = int(a.numJoints, 'architecture.numJoints', 1, LIMITS.joints, fail);
  const k = int(a.k, 'architecture.k', 1, LIMITS.k, fail);
  const temporalKernel = int(a.temporalKernel, 'architecture.temporalKernel', 1, LIMITS.kt, fail);
  if (temporalKernel % 2 !== 1) fail('architecture.temporalKernel', `must be odd, got ${temporalKernel}`);
  const classes = int(a.classes, 'architecture.classes', 1, LIMITS.classes, fail);
  if (typeof a.edgeImportance !== 'boolean') fail('architecture.edgeImportance', 'must be true or false');
  if (!Array.isArray(a.blocks) || a.blocks.length < 1 || a.blocks.length > LIMITS.blocks)
    fail('architecture.blocks', `must be an array of 1..${LIMITS.blocks} blocks`);
  let prev = inChannels;
  const blocks = (a.blocks as unknown[]).map((raw, i) => {
    const f = `architecture.blocks[${i}]`;
    const b = obj(raw, f, fail);
    const spec = {
      in: int(b.in, `${f}.in`, 1, LIMITS.channels, fail),
      out: int(b.out, `${f}.out`, 1, LIMITS.channels, fail),
      stride: int(b.stride, `${f}.stride`, 1, LIMITS.stride, fail),
      residual: b.residual,
    };
    if (typeof spec.residual !== 'boolean') fail(`${f}.residual`, 'must be true or false');
    if (spec.in !== prev) fail(`${f}.in`, `is ${spec.in} but the previous stage gives ${prev}`);
    prev = spec.out;
    return spec as { in: number; out: number; stride: number; residual: boolean };
  });
  const graph = graphOf(a, k, numJoints, fail);
  return {
    inChannels,
    numJoints,
    k,
    temporalKernel,
    edgeImportance: a.edgeImportance as boolean,
    blocks,
    classes,
    graph,
  };
}

function sameShape(t: ModelTensor | undefined, shape: readonly number[]): boolean {
  return t !== undefined && t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
}

/** Read a float classifier written by saveClassifierModel (eval mode). */
export function loadClassifierModel(path: string): ActionClassifier {
  const c = readModelFile(path);
  const fail = checkKind(path, c, FLOAT_KIND);
  const arch = floatArchitecture(c.architecture, fail);
  let graph = adjacency(NTU25, 'spatial');
  if (arch.graph === 'stored') {
    const a = c.tensors.get('encoder.A');
    if (!sameShape(a, [arch.k, arch.numJoints, arch.numJoints]) || a!.dtype !== 'f32')
      fail(
        'tensor encoder.A',
        `must be f32 [${arch.k}, ${arch.numJoints}, ${arch.numJoints}] when the graph is stored`,
      );
    graph = { data: a!.data as Float32Array, shape: [arch.k, arch.numJoints, arch.numJoints] };
  }
  // Bound what building the architecture allocates by what the file holds.
  let needed = 0;
  let d = arch.inChannels;
  for (const b of arch.blocks) {
    needed += arch.k * b.out * b.in + b.out * b.out * arch.temporalKernel;
    d = b.out;
  }
  needed += arch.classes * d;
  let held = 0;
  for (const t of c.tensors.values()) held += t.data.length;
  if (needed > held)
    fail('architecture', `needs at least ${needed} weights but the file holds ${held} values`);
  const rng = new Rng(0);
  let model: ActionClassifier;
  try {
    model = new ActionClassifier(
      new StGcn({ rng: rng.fork(), ...arch, graph, dropout: 0 }),
      arch.classes,
      rng.fork(),
    );
  } catch (err) {
    return fail('architecture', (err as Error).message);
  }
  const names = new Set<string>();
  for (const [name, t] of model.stateDict()) {
    if (!(t instanceof Tensor)) continue;
    if (name === 'encoder.A' && arch.graph !== 'stored') continue;
    const s = c.tensors.get(name);
    if (s === undefined) fail(`tensor ${name}`, 'is missing');
    if (s!.dtype !== 'f32' || !sameShape(s, t.shape))
      fail(`tensor ${name}`, `must be f32 [${t.shape.join(', ')}], got ${s!.dtype} [${s!.shape.join(', ')}]`);
    (t.data as Float32Array).set(s!.data as Float32Array);
    names.add(name);
  }
  for (const name of c.tensors.keys())
    if (!names.has(name)) fail(`tensor ${name}`, 'is not part of this architecture');
  model.eval();
  return model;
}

/** Write an int8 model from quantizeClassifier; returns the file size in bytes. */
export function saveQuantizedModel(
  m: FoldedClassifier,
  path: string,
  metadata: Record<string, string> = {},
): number {
  const tensors = new Map<string, ModelTensor>();
  // Per layer: the int8 weights and one f32 vector [weight scales (cout), biases (cout), input scale]:
  // few tensors keep the header (a fixed cost) small next to a small student's payload.
  const layer = (p: string, l: ConvLayer) => {
    if (!l.wq || !l.wScale || l.xScale === undefined)
      throw new RangeError(`saveQuantizedModel: ${p} is not quantised`);
    tensors.set(`${p}.weight`, { dtype: 'i8', shape: [l.cout, l.cin, l.kt], data: l.wq });
    const params = new Float32Array(2 * l.cout + 1);
    params.set(l.wScale, 0);
    params.set(l.bias, l.cout);
    params[2 * l.cout] = l.xScale;
    tensors.set(`${p}.params`, { dtype: 'f32', shape: [2 * l.cout + 1], data: params });
  };
  const affine = (name: string, a: { scale: Float32Array; shift: Float32Array }) => {
    const d = new Float32Array(2 * a.scale.length);
    d.set(a.scale, 0);
    d.set(a.shift, a.scale.length);
    tensors.set(name, { dtype: 'f32', shape: [2, a.scale.length], data: d });
  };
  affine('data_bn', m.dataBn);
  const first = m.blocks[0]!.adjacency;
  const shared = m.blocks.every((b) => b.adjacency.every((x, i) => x === first[i]));
  const graph = shared ? (graphName(first, m.k, m.numJoints) ?? 'stored') : 'per-block';
  if (graph === 'stored') tensors.set('adjacency', f32([m.k, m.numJoints, m.numJoints], first));
  m.blocks.forEach((b, i) => {
    layer(`blocks.${i}.gcn`, b.gcn);
    affine(`blocks.${i}.bn0`, b.bn0);
    layer(`blocks.${i}.tcn`, b.tcn);
    if (typeof b.residual === 'object') layer(`blocks.${i}.residual`, b.residual);
    if (graph === 'per-block')
      tensors.set(`blocks.${i}.adjacency`, f32([m.k, m.numJoints, m.numJoints], b.adjacency));
  });
  layer('fc', m.fc);
  const architecture = {
    inChannels: m.inChannels,
    numJoints: m.numJoints,
    k: m.k,
    classes: m.classes,
    graph,
    blocks: m.blocks.map((b) => ({
      in: b.gcn.cin,
      out: b.out,
      stride: b.tcn.stride,
      kt: b.tcn.kt,
      residual: typeof b.residual === 'object' ? 'conv' : b.residual,
    })),
  };
  return writeModelFile(path, { kind: INT8_KIND, architecture, metadata, tensors });
}

/** Read an int8 model written by saveQuantizedModel. */
export function loadQuantizedModel(path: string): FoldedClassifier {
  const c = readModelFile(path);
  const fail = checkKind(path, c, INT8_KIND);
  const a = obj(c.architecture, 'architecture', fail);
  const inChannels = int(a.inChannels, 'architecture.inChannels', 1, LIMITS.channels, fail);
  const v = int(a.numJoints, 'architecture.numJoints', 1, LIMITS.joints, fail);
  const k = int(a.k, 'architecture.k', 1, LIMITS.k, fail);
  const classes = int(a.classes, 'architecture.classes', 1, LIMITS.classes, fail);
  if (!Array.isArray(a.blocks) || a.blocks.length < 1 || a.blocks.length > LIMITS.blocks)
    fail('architecture.blocks', `must be an array of 1..${LIMITS.blocks} blocks`);
  const used = new Set<string>();
  const get = (name: string, dtype: 'f32' | 'i8', shape: number[]) => {
    const t = c.tensors.get(name);
    if (t === undefined) fail(`tensor ${name}`, 'is missing');
    if (t!.dtype !== dtype || !sameShape(t, shape))
      fail(
        `tensor ${name}`,
        `must be ${dtype} [${shape.join(', ')}], got ${t!.dtype} [${t!.shape.join(', ')}]`,
      );
    used.add(name);
    return t!.data;
  };
  const layer = (p: string, cin: number, cout: number, kt: number, stride: number): ConvLayer => {
    const wq = get(`${p}.weight`, 'i8', [cout, cin, kt]) as Int8Array;
    const params = get(`${p}.params`, 'f32', [2 * cout + 1]) as Float32Array;
    const wScale = params.slice(0, cout);
    const bias = params.slice(cout, 2 * cout);
    const xScale = params[2 * cout]!;
    if (!(xScale > 0)) fail(`tensor ${p}.params`, `input scale (last value) must be > 0, got ${xScale}`);
    const per = cin * kt;
    const w = Float32Array.from(wq, (q, i) => q * wScale[Math.floor(i / per)]!);
    return { cin, cout, kt, stride, pad: (kt - 1) / 2, w, bias, wq, wScale, xScale };
  };
  const affineOf = (name: string, c: number) => {
    const d = get(name, 'f32', [2, c]) as Float32Array;
    return { scale: d.slice(0, c), shift: d.slice(c) };
  };
  const g = a.graph;
  if (g !== 'ntu25-spatial' && g !== 'stored' && g !== 'per-block')
    fail('architecture.graph', `must be 'ntu25-spatial', 'stored' or 'per-block', got ${JSON.stringify(g)}`);
  if (g === 'ntu25-spatial' && (k !== 3 || v !== 25))
    fail('architecture.graph', "'ntu25-spatial' needs k = 3 and 25 joints");
  const shared =
    g === 'ntu25-spatial'
      ? adjacency(NTU25, 'spatial').data
      : g === 'stored'
        ? (get('adjacency', 'f32', [k, v, v]) as Float32Array)
        : null;
  let prev = inChannels;
  const blocks: FoldedBlock[] = (a.blocks as unknown[]).map((raw, i) => {
    const f = `architecture.blocks[${i}]`;
    const b = obj(raw, f, fail);
    const cin = int(b.in, `${f}.in`, 1, LIMITS.channels, fail);
    const out = int(b.out, `${f}.out`, 1, LIMITS.channels, fail);
    const stride = int(b.stride, `${f}.stride`, 1, LIMITS.stride, fail);
    const kt = int(b.kt, `${f}.kt`, 1, LIMITS.kt, fail);
    if (kt % 2 !== 1) fail(`${f}.kt`, `must be odd, got ${kt}`);
    if (cin !== prev) fail(`${f}.in`, `is ${cin} but the previous stage gives ${prev}`);
    const res = b.residual;
    if (res !== 'none' && res !== 'identity' && res !== 'conv')
      fail(`${f}.residual`, "must be 'none', 'identity' or 'conv'");
    if (res === 'identity' && (cin !== out || stride !== 1))
      fail(`${f}.residual`, 'identity needs in = out and stride 1');
    prev = out;
    const p = `blocks.${i}`;
    return {
      out,
      gcn: layer(`${p}.gcn`, cin, k * out, 1, 1),
      bn0: affineOf(`${p}.bn0`, out),
      tcn: layer(`${p}.tcn`, out, out, kt, stride),
      residual: res === 'conv' ? layer(`${p}.residual`, cin, out, 1, stride) : (res as 'none' | 'identity'),
      adjacency: shared ?? (get(`${p}.adjacency`, 'f32', [k, v, v]) as Float32Array),
    };
  });
  const dataBn = affineOf('data_bn', inChannels * v);
  const fc = layer('fc', prev, classes, 1, 1);
  for (const name of c.tensors.keys())
    if (!used.has(name)) fail(`tensor ${name}`, 'is not part of this architecture');
  return { inChannels, numJoints: v, k, classes, dataBn, blocks, fc };
}
