/** Save an StGcn with its architecture, and rebuild + load one from any ST-GCN safetensors checkpoint. */
import { Tensor } from '@asma/autodiff';
import { readSafetensors } from '@asma/autodiff/node';
import { type Adjacency, adjacency, NTU25 } from '@asma/skeleton';
import { Rng } from '@asma/util';
import { CheckpointError, type LoadCheckpointResult, loadStateDictInto } from '../interop/checkpoint.js';
import { architectureOf, inferArchitecture, STGCN_METADATA_KEY } from '../interop/stgcn-config.js';
import { StGcn } from '../model/stgcn.js';
import { saveCheckpoint } from './checkpoint.js';

/** Write the encoder's PyTorch-named state dict plus its architecture (metadata "asma.stgcn"). */
export function saveStGcn(model: StGcn, path: string, metadata: Record<string, string> = {}): void {
  saveCheckpoint(model, path, { ...metadata, [STGCN_METADATA_KEY]: JSON.stringify(architectureOf(model)) });
}

export interface LoadStGcnOptions {
  /** Read keys under this prefix only (e.g. 'encoder.'), see loadCheckpoint. */
  prefix?: string;
  /** Dropout of the rebuilt model (matters only for training); PSTL's 0.5 by default. */
  dropout?: number;
  /** Seeds dropout when training the loaded model further. */
  rng?: Rng;
}

export interface LoadedStGcn {
  model: StGcn;
  result: LoadCheckpointResult;
}

/**
 * Build the StGcn a checkpoint describes and load it strictly. The adjacency comes from the
 * checkpoint's A when present (what the torch model used), else the NTU-25 'spatial' graph.
 * Returned in eval mode.
 */
export function loadStGcn(path: string, opts: LoadStGcnOptions = {}): LoadedStGcn {
  const file = readSafetensors(path);
  const prefix = opts.prefix ?? '';
  const arch = inferArchitecture(file, path, prefix);
  const a = file.tensors.get(`${prefix}A`);
  let graph: Adjacency;
  if (a instanceof Tensor) {
    if (
      a.ndim !== 3 ||
      a.shape[0] !== arch.k ||
      a.shape[1] !== arch.numJoints ||
      a.shape[2] !== arch.numJoints
    )
      throw new CheckpointError(
        path,
        `"A" has shape [${a.shape.join(', ')}] but the blocks need [${arch.k}, ${arch.numJoints}, ${arch.numJoints}]`,
      );
    graph = { data: Float32Array.from(a.data), shape: [arch.k, arch.numJoints, arch.numJoints] };
  } else if (arch.k === 3 && arch.numJoints === NTU25.numJoints) {
    graph = adjacency(NTU25, 'spatial');
  } else {
    throw new CheckpointError(
      path,
      `has no "A" and its graph (K=${arch.k}, V=${arch.numJoints}) is not NTU-25 'spatial'`,
    );
  }
  const model = new StGcn({
    rng: opts.rng ?? new Rng(0),
    inChannels: arch.inChannels,
    blocks: arch.blocks,
    temporalKernel: arch.temporalKernel,
    edgeImportance: arch.edgeImportance,
    dropout: opts.dropout,
    graph,
  });
  const result = loadStateDictInto(model, file.tensors, path, { prefix: opts.prefix }, file.metadata);
  model.eval();
  return { model, result };
}
