/**
 * The ST-GCN architecture a checkpoint describes. Files we write carry it in the safetensors
 * metadata ("asma.stgcn"); for plain PyTorch checkpoints it is inferred from the tensor shapes
 * (channels, K, temporal kernel, edge importance), with the PSTL strides (2 at blocks 4 and 7).
 */
import { IntTensor, type SafetensorsFile, Tensor } from '@asma/autodiff';
import type { StGcn, StGcnBlockSpec } from '../model/stgcn.js';
import { CheckpointError } from './checkpoint.js';

export const STGCN_METADATA_KEY = 'asma.stgcn';

/** Everything needed to rebuild an StGcn with the same parameter shapes. */
export interface StGcnArchitecture {
  inChannels: number;
  numJoints: number;
  k: number;
  temporalKernel: number;
  edgeImportance: boolean;
  blocks: StGcnBlockSpec[];
}

export function architectureOf(model: StGcn): StGcnArchitecture {
  return {
    inChannels: model.inChannels,
    numJoints: model.numJoints,
    k: model.k,
    temporalKernel: model.temporalKernel,
    edgeImportance: model.edgeImportance !== null,
    blocks: model.plan.map((b) => ({ ...b })),
  };
}

function shapeOf(file: SafetensorsFile, key: string, name: string): readonly number[] {
  const t = file.tensors.get(key);
  if (!(t instanceof Tensor) && !(t instanceof IntTensor))
    throw new CheckpointError(
      name,
      `has no "${key}": not an ST-GCN state dict (is a prefix such as "encoder." needed?)`,
    );
  return t.shape;
}

/** Read the architecture from metadata, or infer it from the shapes of a PyTorch ST-GCN state dict. */
export function inferArchitecture(
  file: SafetensorsFile,
  name = '<safetensors>',
  prefix = '',
): StGcnArchitecture {
  const stored = file.metadata[STGCN_METADATA_KEY];
  if (stored !== undefined) {
    try {
      return JSON.parse(stored) as StGcnArchitecture;
    } catch {
      throw new CheckpointError(name, `metadata "${STGCN_METADATA_KEY}" is not valid JSON`);
    }
  }
  const p = prefix;
  let count = 0;
  while (file.tensors.has(`${p}st_gcn_networks.${count}.gcn.conv.weight`)) count++;
  if (count === 0) shapeOf(file, `${p}st_gcn_networks.0.gcn.conv.weight`, name);
  const bnChannels = shapeOf(file, `${p}data_bn.weight`, name)[0]!;
  const first = shapeOf(file, `${p}st_gcn_networks.0.gcn.conv.weight`, name);
  const inChannels = first[1]!;
  const tcn0 = shapeOf(file, `${p}st_gcn_networks.0.tcn.2.weight`, name);
  const outFirst = tcn0[0]!;
  const k = first[0]! / outFirst;
  if (!Number.isInteger(k))
    throw new CheckpointError(
      name,
      `gcn.conv.weight ${JSON.stringify(first)} is not K x ${outFirst} output channels`,
    );
  const numJoints = bnChannels / inChannels;
  if (!Number.isInteger(numJoints))
    throw new CheckpointError(
      name,
      `data_bn has ${bnChannels} channels, not a multiple of ${inChannels} input channels`,
    );
  if (count !== 10)
    throw new CheckpointError(
      name,
      `has ${count} ST-GCN blocks and no "${STGCN_METADATA_KEY}" metadata: strides can only be inferred for the 10-block PSTL plan`,
    );
  const blocks: StGcnBlockSpec[] = [];
  for (let i = 0; i < count; i++) {
    const w = shapeOf(file, `${p}st_gcn_networks.${i}.tcn.2.weight`, name);
    const cin = shapeOf(file, `${p}st_gcn_networks.${i}.gcn.conv.weight`, name)[1]!;
    blocks.push({ in: cin, out: w[0]!, stride: i === 4 || i === 7 ? 2 : 1, residual: i !== 0 });
  }
  return {
    inChannels,
    numJoints,
    k,
    temporalKernel: tcn0[2]!,
    edgeImportance: file.tensors.has(`${p}edge_importance.0`),
    blocks,
  };
}
