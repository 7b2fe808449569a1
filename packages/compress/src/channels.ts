/**
 * Structured channel pruning of an ST-GCN classifier. Blocks joined by an identity residual must keep
 * the same channels, so blocks are grouped: a group starts at every block whose residual is none or a
 * conv, and identity blocks join the group before them. Each group ranks its output channels by the L1
 * norm of the tcn conv's output filters (summed over the group's blocks) and keeps the strongest. The
 * rebuilt StGcn has a narrower plan and copies the kept channels' weights, biases, BN statistics,
 * residual convs, edge importance and the classifier's columns: it is physically smaller and faster.
 */
import { IntTensor, type Module } from '@asma/autodiff';
import {
  ActionClassifier,
  type Keyed,
  layerPlan,
  planBlocks,
  StGcn,
  type StGcnBlockSpec,
  unknownLayer,
} from '@asma/trainer';
import { Rng } from '@asma/util';
import type { PruneMasks } from './masks.js';

export interface ChannelPlan {
  /** Kept output channels of every block (sorted indices into the original block's channels). */
  keep: number[][];
  /** The plan of the pruned encoder. */
  blocks: StGcnBlockSpec[];
}

/** Group index of every block (see the file comment). */
export function channelGroups(encoder: StGcn): number[] {
  const groups: number[] = [];
  let g = -1;
  for (let i = 0; i < encoder.blocks.length; i++) {
    if (encoder.blocks.at(i).residualKind !== 'identity') g++;
    groups.push(g);
  }
  return groups;
}

/** L1 norm of every output filter of block i's temporal conv (weight (C, C, kt, 1)). */
export function tcnFilterNorms(encoder: StGcn, i: number): Float64Array {
  const w = encoder.blocks.at(i).parts().temporalConv.weight;
  const c = w.shape[0]!;
  const per = w.data.length / c;
  const out = new Float64Array(c);
  for (let o = 0; o < c; o++) for (let j = 0; j < per; j++) out[o]! += Math.abs(Number(w.data[o * per + j]));
  return out;
}

/**
 * Which channels to keep when pruning the `amount` fraction (0..1) of every group's channels
 * (at least one channel kept per group).
 */
export function planChannelPruning(encoder: StGcn, amount: number): ChannelPlan {
  if (!(amount >= 0 && amount < 1))
    throw new RangeError(`planChannelPruning: amount must be in [0, 1), got ${amount}`);
  const groups = channelGroups(encoder);
  const plan = encoder.plan;
  const keepOf: number[][] = [];
  for (let g = 0; g <= groups[groups.length - 1]!; g++) {
    const members = groups.flatMap((x, i) => (x === g ? [i] : []));
    const c = plan[members[0]!]!.out;
    const score = new Float64Array(c);
    for (const i of members) {
      const norms = tcnFilterNorms(encoder, i);
      for (let o = 0; o < c; o++) score[o]! += norms[o]!;
    }
    let k = Math.max(1, Math.ceil((1 - amount) * c));
    // A stride-1 conv-residual block whose in and out widths became equal would be rebuilt with an
    // identity residual (other parameters); keep one channel more (or fewer) to keep its structure.
    const first = members[0]!;
    const spec = plan[first]!;
    if (spec.residual && spec.stride === 1 && g > 0) {
      const inWidth = keepOf[g - 1]!.length;
      if (k === inWidth) k = k < c ? k + 1 : k - 1;
    }
    const order = Array.from({ length: c }, (_, o) => o).sort((a, b) => score[b]! - score[a]! || a - b);
    keepOf.push(order.slice(0, k).sort((a, b) => a - b));
  }
  const keep = groups.map((g) => keepOf[g]!);
  const blocks = plan.map((b, i) => ({
    ...b,
    in: i === 0 ? b.in : keep[i - 1]!.length,
    out: keep[i]!.length,
  }));
  return { keep, blocks };
}

/**
 * Masks that zero the pruned channels in the original model (gcn rows, both tcn BNs, the tcn conv's
 * output filters, the residual BN): the masked original then computes what the pruned model computes.
 */
export function channelMasks(model: ActionClassifier, plan: ChannelPlan): PruneMasks {
  const masks: PruneMasks = new Map();
  const mask = (layer: Keyed<Module>, rows: number, zeroRows: (r: number) => boolean) => {
    for (const [name, p] of layer.module.namedParameters()) {
      const per = p.size / rows;
      const m = new Uint8Array(p.size).fill(1);
      for (let r = 0; r < rows; r++) if (zeroRows(r)) m.fill(0, r * per, (r + 1) * per);
      masks.set(`${layer.key}.${name}`, m);
    }
  };
  for (const b of planBlocks(layerPlan(model))) {
    const c = b.outChannels;
    const kept = new Set(plan.keep[b.index]);
    const pruned = (r: number) => !kept.has(r % c);
    mask(b.graphConv.conv, b.graphConv.k * c, pruned);
    for (const l of [b.norm, b.temporalConv.conv, b.temporalConv.bn]) mask(l, c, pruned);
    if (b.residual.kind === 'conv') mask(b.residual.bn, c, pruned);
  }
  return masks;
}

/** Copy rows `rows` (and, when given, columns `cols` of the second axis) of a (R, C, ...) array. */
function take(
  src: ArrayLike<number>,
  shape: readonly number[],
  rows: readonly number[],
  cols: readonly number[] | null,
): Float32Array {
  const c = shape.length > 1 ? shape[1]! : 1;
  let inner = 1;
  for (let d = 2; d < shape.length; d++) inner *= shape[d]!;
  const cs = cols ?? Array.from({ length: c }, (_, j) => j);
  const out = new Float32Array(rows.length * cs.length * inner);
  let o = 0;
  for (const r of rows)
    for (const j of cs) {
      const base = (r * c + j) * inner;
      for (let q = 0; q < inner; q++) out[o++] = src[base + q]!;
    }
  return out;
}

/** The pruned classifier: a new StGcn with `plan.blocks` holding the kept channels' weights (eval mode). */
export function pruneChannels(
  model: ActionClassifier,
  plan: ChannelPlan,
  rng = new Rng(0),
): ActionClassifier {
  const enc = model.encoder;
  const a = enc.A;
  const small = new StGcn({
    rng: rng.fork(),
    inChannels: enc.inChannels,
    blocks: plan.blocks,
    temporalKernel: enc.temporalKernel,
    edgeImportance: enc.edgeImportance !== null,
    graph: { data: Float32Array.from(a.data), shape: [a.shape[0]!, a.shape[1]!, a.shape[2]!] },
    dropout: 0,
  });
  for (let i = 0; i < small.blocks.length; i++)
    if (small.blocks.at(i).residualKind !== enc.blocks.at(i).residualKind)
      throw new RangeError(
        `pruneChannels: block ${i} would change its residual from ${enc.blocks.at(i).residualKind} to ${small.blocks.at(i).residualKind}; keep another channel count`,
      );
  const out = new ActionClassifier(small, model.fc.outFeatures, rng.fork());
  const src = model.stateDict();
  const sd = new Map(out.stateDict());
  const all = (n: number) => Array.from({ length: n }, (_, j) => j);
  // Rows and (for tensors of rank >= 2) columns kept of every layer's tensors, read off the layer plan;
  // what no layer claims (A, data_bn, edge importance) is copied whole.
  const take_ = new Map<string, { rows: readonly number[] | null; cols: readonly number[] | null }>();
  const claim = (layer: Keyed<Module>, rows: readonly number[] | null, cols: readonly number[] | null) => {
    for (const name of layer.module.stateDict().keys()) take_.set(`${layer.key}.${name}`, { rows, cols });
  };
  for (const l of layerPlan(model).layers) {
    if (l.kind === 'block') {
      const kept = plan.keep[l.index]!;
      const inKept = l.index === 0 ? null : plan.keep[l.index - 1]!;
      const c = l.outChannels;
      const gcnRows = Array.from({ length: l.graphConv.k }, (_, k) => kept.map((j) => k * c + j)).flat();
      claim(l.graphConv.conv, gcnRows, inKept);
      claim(l.norm, kept, null);
      claim(l.temporalConv.conv, kept, kept);
      claim(l.temporalConv.bn, kept, null);
      if (l.residual.kind === 'conv') {
        claim(l.residual.conv, kept, inKept);
        claim(l.residual.bn, kept, null);
      }
    } else if (l.kind === 'linear') claim(l.linear, null, plan.keep[plan.keep.length - 1]!);
    else if (l.kind !== 'dataNorm' && l.kind !== 'pool') unknownLayer(l);
  }
  for (const [name, to] of sd) {
    const from = src.get(name)!;
    if (from instanceof IntTensor) {
      to.data.set(from.data as never); // num_batches_tracked
      continue;
    }
    const sel = take_.get(name);
    const rows = sel?.rows ?? all(from.shape[0] ?? 1);
    const cols = from.shape.length > 1 ? (sel?.cols ?? null) : null;
    const data = take(from.data as Float32Array, from.shape, rows, cols);
    if (data.length !== to.data.length)
      throw new Error(`pruneChannels: ${name} gives ${data.length} values for a tensor of ${to.data.length}`);
    (to.data as Float32Array).set(data);
  }
  out.eval();
  return out;
}
