/**
 * ONNX export (opset 13) of a float ST-GCN classifier, hand-encoded as protobuf. The graph is that of
 * the folded model (BN folded into the temporal and residual convs; data_bn and the BN after the graph
 * aggregation as Mul + Add): Transpose/Reshape for the data_bn view, per block a 1x1 Conv, the graph
 * aggregation as Transpose + Reshape + MatMul with the (K*V, V) adjacency, Mul/Add/Relu, the (kt x 1)
 * Conv, the residual (Add of the input or of a 1x1 Conv), Relu; then ReduceMean over (T, V) and the
 * persons and Gemm. The batch N is dynamic; T and M are fixed at export.
 */
import { tconvOutLength } from '@asma/kernels';
import type { ActionClassifier } from '@asma/trainer';
import { type ConvLayer, type FoldedClassifier, foldClassifier } from './folded.js';
import { ProtoWriter } from './protobuf.js';

export const ONNX_OPSET = 13;
const FLOAT = 1;
const INT64 = 7;

export interface OnnxExportOptions {
  /** Frames T of the input clips. */
  frames: number;
  /** Persons M (default 2). */
  persons?: number;
  producer?: string;
}

type Attr = ['int', number] | ['ints', number[]] | ['float', number];

class GraphBuilder {
  readonly nodes: ProtoWriter[] = [];
  readonly inits: ProtoWriter[] = [];
  private n = 0;

  constant(name: string, dims: number[], values: ArrayLike<number>, type = FLOAT): string {
    const t = new ProtoWriter().packedInts(1, dims).int(2, type).string(8, name);
    const raw = new Uint8Array(values.length * (type === FLOAT ? 4 : 8));
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++)
      if (type === FLOAT) view.setFloat32(4 * i, values[i]!, true);
      else view.setBigInt64(8 * i, BigInt(values[i]!), true);
    t.bytes(9, raw);
    this.inits.push(t);
    return name;
  }

  shape(dims: number[]): string {
    return this.constant(`shape_${this.n++}`, [dims.length], dims, INT64);
  }

  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string {
    const out = output ?? `${op.toLowerCase()}_${this.n++}`;
    const w = new ProtoWriter();
    for (const i of inputs) w.string(1, i);
    w.string(2, out).string(3, out).string(4, op);
    for (const [name, [kind, v]] of Object.entries(attrs)) {
      const a = new ProtoWriter().string(1, name);
      if (kind === 'int') a.int(3, v).int(20, 2);
      else if (kind === 'float') a.float(2, v).int(20, 1);
      else a.packedInts(8, v).int(20, 7);
      w.message(5, a);
    }
    this.nodes.push(w);
    return out;
  }

  conv(x: string, l: ConvLayer, prefix: string): string {
    const w = this.constant(`${prefix}.weight`, [l.cout, l.cin, l.kt, 1], l.w);
    const b = this.constant(`${prefix}.bias`, [l.cout], l.bias);
    return this.node('Conv', [x, w, b], {
      kernel_shape: ['ints', [l.kt, 1]],
      strides: ['ints', [l.stride, 1]],
      pads: ['ints', [l.pad, 0, l.pad, 0]],
    });
  }

  affine(x: string, scale: Float32Array, shift: Float32Array, dims: number[], prefix: string): string {
    const m = this.node('Mul', [x, this.constant(`${prefix}.scale`, dims, scale)]);
    return this.node('Add', [m, this.constant(`${prefix}.shift`, dims, shift)]);
  }
}

function valueInfo(name: string, dims: (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims)
    shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensor = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensor));
}

/** The ONNX model bytes of a classifier (eval mode) for clips (N, C, frames, V, persons) -> logits (N, classes). */
export function exportOnnx(model: ActionClassifier | FoldedClassifier, o: OnnxExportOptions): Uint8Array {
  const m = 'encoder' in model ? foldClassifier(model) : model;
  const persons = o.persons ?? 2;
  const { inChannels: c, numJoints: v, k } = m;
  if (!Number.isInteger(o.frames) || o.frames < 1)
    throw new RangeError(`exportOnnx: frames must be a positive integer, got ${o.frames}`);
  const g = new GraphBuilder();
  // data_bn over the (N*M, V*C, T) view, then (N*M, C, T, V).
  let h = g.node('Transpose', ['clips'], { perm: ['ints', [0, 4, 3, 1, 2]] });
  h = g.node('Reshape', [h, g.shape([-1, v * c, o.frames])]);
  h = g.affine(h, m.dataBn.scale, m.dataBn.shift, [v * c, 1], 'data_bn');
  h = g.node('Reshape', [h, g.shape([-1, persons, v, c, o.frames])]);
  h = g.node('Transpose', [h], { perm: ['ints', [0, 1, 3, 4, 2]] });
  h = g.node('Reshape', [h, g.shape([-1, c, o.frames, v])]);
  let t = o.frames;
  m.blocks.forEach((b, i) => {
    const p = `blocks.${i}`;
    // gcn: 1x1 conv to K*out, then y[n,c,t,w] = sum_{k,v} x[n,k,c,t,v] A[k,v,w] as one MatMul over (k, v).
    let y = g.conv(h, b.gcn, `${p}.gcn`);
    y = g.node('Reshape', [y, g.shape([-1, k, b.out, t, v])]);
    y = g.node('Transpose', [y], { perm: ['ints', [0, 2, 3, 1, 4]] });
    y = g.node('Reshape', [y, g.shape([-1, b.out, t, k * v])]);
    y = g.node('MatMul', [y, g.constant(`${p}.adjacency`, [k * v, v], b.adjacency)]);
    y = g.node('Relu', [g.affine(y, b.bn0.scale, b.bn0.shift, [b.out, 1, 1], `${p}.bn0`)]);
    y = g.conv(y, b.tcn, `${p}.tcn`);
    if (b.residual === 'identity') y = g.node('Add', [y, h]);
    else if (b.residual !== 'none') y = g.node('Add', [y, g.conv(h, b.residual, `${p}.residual`)]);
    h = g.node('Relu', [y]);
    t = tconvOutLength({ t, kt: b.tcn.kt, stride: b.tcn.stride, pad: b.tcn.pad });
  });
  const d = m.blocks[m.blocks.length - 1]!.out;
  h = g.node('ReduceMean', [h], { axes: ['ints', [2, 3]], keepdims: ['int', 0] });
  h = g.node('Reshape', [h, g.shape([-1, persons, d])]);
  h = g.node('ReduceMean', [h], { axes: ['ints', [1]], keepdims: ['int', 0] });
  const fcW = g.constant('fc.weight', [m.fc.cout, m.fc.cin], m.fc.w);
  const fcB = g.constant('fc.bias', [m.fc.cout], m.fc.bias);
  g.node('Gemm', [h, fcW, fcB], { transB: ['int', 1] }, 'logits');

  const graph = new ProtoWriter();
  for (const n of g.nodes) graph.message(1, n);
  graph.string(2, 'asma_stgcn');
  for (const i of g.inits) graph.message(5, i);
  graph.message(11, valueInfo('clips', ['N', c, o.frames, v, persons]));
  graph.message(12, valueInfo('logits', ['N', m.classes]));
  return new ProtoWriter()
    .int(1, 7) // IR version 7 goes with opset 13
    .string(2, o.producer ?? 'asma')
    .string(3, '0.1.0')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, ONNX_OPSET))
    .finish();
}
