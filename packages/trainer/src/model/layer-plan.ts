/**
 * The one typed description of an ST-GCN classifier that inference, export, pruning and quantisation
 * read: a list of layers in execution order, each holding its modules (live tensors) and their
 * state-dict key prefixes (found by walking the module tree, not written by hand). A new layer kind is
 * one member of `PlanLayer` here, and the compilers that switch on `kind` fail to type-check until
 * they handle it.
 */
import type { BatchNorm1d, BatchNorm2d, Conv2d, Linear, Module } from '@asma/autodiff';
import { tconvOutLength } from '@asma/kernels';
import type { StGcn } from './stgcn.js';

/** A module with its state-dict prefix (e.g. `encoder.st_gcn_networks.3.tcn.2`). */
export interface Keyed<M> {
  key: string;
  module: M;
}

/** data_bn over the (N*M, V*C, T) view: channel v*C + c. */
export interface DataNormLayer {
  kind: 'dataNorm';
  channels: number;
  joints: number;
  bn: Keyed<BatchNorm1d>;
}

/** One ST-GCN block: gcn, BN + ReLU, temporal conv + BN, residual, ReLU. */
export interface BlockLayer {
  kind: 'block';
  index: number;
  key: string;
  inChannels: number;
  outChannels: number;
  /** 1x1 conv to K*out channels, then aggregation over the (K, V, V) adjacency. */
  graphConv: { conv: Keyed<Conv2d>; k: number; adjacency: Float32Array };
  /** BN then ReLU after the aggregation. */
  norm: Keyed<BatchNorm2d>;
  /** (kt x 1) conv with temporal stride and padding, then BN (foldable into the conv). */
  temporalConv: { conv: Keyed<Conv2d>; bn: Keyed<BatchNorm2d>; kt: number; stride: number; pad: number };
  residual:
    | { kind: 'none' }
    | { kind: 'identity' }
    | { kind: 'conv'; conv: Keyed<Conv2d>; bn: Keyed<BatchNorm2d>; stride: number };
}

/** Mean over (T, V), then over the M persons. */
export interface PoolLayer {
  kind: 'pool';
  channels: number;
}

export interface LinearLayer {
  kind: 'linear';
  linear: Keyed<Linear>;
}

export type PlanLayer = DataNormLayer | BlockLayer | PoolLayer | LinearLayer;

export interface LayerPlan {
  inChannels: number;
  numJoints: number;
  /** Adjacency partitions K. */
  k: number;
  classes: number;
  layers: PlanLayer[];
}

/** What a classifier must be for a plan: an StGcn encoder and a linear head (ActionClassifier). */
export interface PlannableClassifier extends Module {
  readonly encoder: StGcn;
  readonly fc: Linear;
}

/** The layer plan of a classifier (its live modules: fold or copy what you need). */
export function layerPlan(model: PlannableClassifier): LayerPlan {
  const keys = new Map<Module, string>(model.namedModules().map(([k, m]) => [m, k]));
  const keyed = <M extends Module>(m: M): Keyed<M> => {
    const key = keys.get(m);
    if (key === undefined) throw new Error('layerPlan: a layer module is not registered in the model');
    return { key, module: m };
  };
  const enc = model.encoder;
  const a = enc.A.data;
  const layers: PlanLayer[] = [
    { kind: 'dataNorm', channels: enc.inChannels, joints: enc.numJoints, bn: keyed(enc.dataBn) },
  ];
  for (let i = 0; i < enc.blocks.length; i++) {
    const b = enc.blocks.at(i);
    const parts = b.parts();
    const adjacency = Float32Array.from(a);
    const imp = enc.edgeImportance?.at(i).data;
    if (imp) for (let j = 0; j < adjacency.length; j++) adjacency[j]! *= imp[j]!;
    const tconv = parts.temporalConv;
    layers.push({
      kind: 'block',
      index: i,
      key: keyed(b).key,
      inChannels: b.inChannels,
      outChannels: b.outChannels,
      graphConv: { conv: keyed(b.gcn.conv), k: enc.k, adjacency },
      norm: keyed(parts.norm),
      temporalConv: {
        conv: keyed(tconv),
        bn: keyed(parts.temporalNorm),
        kt: tconv.kernelSize,
        stride: tconv.stride,
        pad: tconv.padding,
      },
      residual:
        parts.residual === null
          ? { kind: b.residualKind === 'identity' ? 'identity' : 'none' }
          : {
              kind: 'conv',
              conv: keyed(parts.residual.conv),
              bn: keyed(parts.residual.bn),
              stride: parts.residual.conv.stride,
            },
    });
  }
  layers.push({ kind: 'pool', channels: enc.outChannels }, { kind: 'linear', linear: keyed(model.fc) });
  return {
    inChannels: enc.inChannels,
    numJoints: enc.numJoints,
    k: enc.k,
    classes: model.fc.outFeatures,
    layers,
  };
}

/** The blocks of a plan, in order. */
export function planBlocks(plan: LayerPlan): BlockLayer[] {
  return plan.layers.filter((l): l is BlockLayer => l.kind === 'block');
}

/** Frames after a block's temporal conv (the residual conv has the same stride and keeps the length). */
export function blockOutFrames(b: BlockLayer, t: number): number {
  const { kt, stride, pad } = b.temporalConv;
  return tconvOutLength({ t, kt, stride, pad });
}

/** Throw on a layer kind a compiler does not handle (type-checked exhaustiveness). */
export function unknownLayer(l: never): never {
  throw new Error(`layer plan: unknown layer kind ${(l as { kind: string }).kind}`);
}
