import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, IntTensor, noGrad, randn, type SafetensorsFile, Tensor } from '@asma/autodiff';
import { readSafetensors, writeSafetensors } from '@asma/autodiff/node';
import { Rng } from '@asma/util';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../src/interop/checkpoint.js';
import { architectureOf, inferArchitecture } from '../src/interop/stgcn-config.js';
import { StGcn } from '../src/model/stgcn.js';
import { loadCheckpoint } from '../src/node/checkpoint.js';
import { loadStGcn, saveStGcn } from '../src/node/stgcn-checkpoint.js';
import { expectClose, fixturePath, getInts, getTensor, loadFixture, withPrefix } from './model-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const small = () => new StGcn({ rng: new Rng(3), baseChannels: 4, outChannels: 16 });

/** The small PyTorch model of the training fixture as a plain torch state dict (no A, no metadata). */
function torchSmall(): SafetensorsFile {
  return {
    tensors: withPrefix(loadFixture('stgcn-small-train.safetensors'), 'param.'),
    dtypes: new Map(),
    metadata: {},
  };
}

function without(f: SafetensorsFile, drop: (k: string) => boolean): SafetensorsFile {
  return { ...f, tensors: new Map([...f.tensors].filter(([k]) => !drop(k))) };
}

describe('loadCheckpoint (PyTorch state dicts)', () => {
  it('loads a torch state dict with A and num_batches_tracked, copying every value', () => {
    const model = new StGcn({ rng: new Rng(1) });
    const f = loadFixture('stgcn16.safetensors');
    const r = loadCheckpoint(model, f);
    expect(r.loaded.length).toBe(f.tensors.size);
    expect(r.missingOptional).toEqual([]);
    expect(model.stateDict().get('st_gcn_networks.3.tcn.3.num_batches_tracked')).toBeInstanceOf(IntTensor);
    expect((model.stateDict().get('st_gcn_networks.3.tcn.3.num_batches_tracked') as IntTensor).item()).toBe(
      7,
    );
    expect(Array.from(model.edgeImportance!.at(9).data)).toEqual(
      Array.from(getTensor(f, 'edge_importance.9').data),
    );
  });

  it('tolerates missing A and num_batches_tracked, and reports them', () => {
    const model = small();
    const r = loadCheckpoint(
      model,
      without(torchSmall(), (k) => k.endsWith('num_batches_tracked')),
    );
    expect(r.missingOptional).toContain('A');
    expect(r.missingOptional).toContain('data_bn.num_batches_tracked');
    expect(r.missingKeys).toEqual([]);
  });

  it('names a missing parameter with its shape', () => {
    expect(() =>
      loadCheckpoint(
        small(),
        without(torchSmall(), (k) => k === 'st_gcn_networks.2.tcn.2.weight'),
      ),
    ).toThrow(/missing "st_gcn_networks\.2\.tcn\.2\.weight" \[4, 4, 9, 1\]/);
  });

  it('names an unexpected key with its shape', () => {
    const f = torchSmall();
    f.tensors.set('fc.weight', new Tensor(new Float32Array(6), [2, 3]));
    expect(() => loadCheckpoint(small(), f)).toThrow(/unexpected "fc\.weight" \[2, 3\]/);
    expect(loadCheckpoint(small(), f, { strict: false }).unexpectedKeys).toEqual(['fc.weight']);
  });

  it('names a shape mismatch with both shapes, and leaves the model untouched', () => {
    const model = new StGcn({ rng: new Rng(3), baseChannels: 4, outChannels: 16, temporalKernel: 7 });
    const before = Array.from(model.dataBn.weight!.data);
    let err: unknown;
    try {
      loadCheckpoint(model, torchSmall());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(
      /"st_gcn_networks\.0\.tcn\.2\.weight" has shape \[4, 4, 9, 1\] in the checkpoint but \[4, 4, 7, 1\] in StGcn/,
    );
    expect(Array.from(model.dataBn.weight!.data)).toEqual(before);
  });

  it('reads keys under a prefix (wrapped training checkpoints)', () => {
    const f = loadFixture('stgcn-small-train.safetensors');
    const model = small();
    const r = loadCheckpoint(
      model,
      { tensors: f.tensors, dtypes: new Map(), metadata: {} },
      { prefix: 'param.', strict: true },
    );
    expect(r.loaded.length).toBe(withPrefix(f, 'param.').size);
  });
});

describe('saveCheckpoint / saveStGcn round trip', () => {
  it('writes PyTorch names, int64 counters and float32 weights that load back identically', () => {
    const model = small();
    loadCheckpoint(model, torchSmall());
    const path = join(dir, 'small.safetensors');
    saveStGcn(model, path, { note: 'test' });
    const f = readSafetensors(path);
    expect(f.metadata.format).toBe('pt');
    expect(f.metadata.note).toBe('test');
    expect(f.dtypes.get('data_bn.num_batches_tracked')).toBe('I64');
    expect(f.dtypes.get('A')).toBe('F32');
    expect([...f.tensors.keys()]).toEqual([...model.stateDict().keys()]);
    const { model: back } = loadStGcn(path);
    expect(architectureOf(back)).toEqual(architectureOf(model));
    for (const [k, v] of model.stateDict()) {
      const w = back.stateDict().get(k)!;
      expect(Array.from(w.data as ArrayLike<number | bigint>), k).toEqual(
        Array.from(v.data as ArrayLike<number | bigint>),
      );
    }
  });

  it('infers the PSTL architecture of a plain torch checkpoint (no metadata)', () => {
    const arch = inferArchitecture(torchSmall());
    expect(arch).toEqual(architectureOf(small()));
    const path = join(dir, 'torch-small.safetensors');
    writeSafetensors(path, torchSmall().tensors);
    const { model, result } = loadStGcn(path);
    expect(result.missingOptional).toEqual(['A']);
    expect(model.training).toBe(false);
    expect(model.numParameters()).toBe(small().numParameters());
  });

  it('refuses a non-ST-GCN file with a clear message', () => {
    const path = join(dir, 'other.safetensors');
    writeSafetensors(path, { 'fc.weight': new Tensor(new Float32Array(4), [2, 2]) });
    expect(() => loadStGcn(path)).toThrow(
      /other\.safetensors: has no "st_gcn_networks\.0\.gcn\.conv\.weight"/,
    );
  });
});

/**
 * The TypeScript -> PyTorch direction. fixtures/interop-ts-stgcn.safetensors was written by saveStGcn
 * (see the generator below) and checked in PyTorch with
 *   /usr/bin/python3 tools/torch/stgcn_reference.py --check packages/trainer/test/fixtures/interop-ts-stgcn.safetensors \
 *     --io packages/trainer/test/fixtures/interop-ts-io.safetensors
 * (strict load_state_dict, then the eval output of torch equals the stored TypeScript output).
 */
describe('TypeScript-written checkpoint accepted by PyTorch', () => {
  it('re-saving the loaded checkpoint reproduces the checked file byte for byte, and its output', () => {
    const path = fixturePath('interop-ts-stgcn.safetensors');
    const { model } = loadStGcn(path);
    const copy = join(dir, 'resaved.safetensors');
    const meta = readSafetensors(path).metadata;
    saveStGcn(model, copy, { source: meta.source ?? '' });
    expect(Buffer.compare(readFileSync(copy), readFileSync(path))).toBe(0);
    const io = loadFixture('interop-ts-io.safetensors');
    const y = noGrad(() => model.forward(getTensor(io, 'input'), { keptJoints: getInts(io, 'kept') }));
    expectClose('output', y, getTensor(io, 'output'), 1e-6);
  });

  it.runIf(process.env.ASMA_WRITE_INTEROP_FIXTURE === '1')(
    'writes the interop fixture (ASMA_WRITE_INTEROP_FIXTURE=1)',
    () => {
      const rng = new Rng(2026);
      const model = new StGcn({ rng, baseChannels: 4, outChannels: 16, dropout: 0 });
      // A few training-mode passes so running stats and counters are not at their initial values.
      model.train();
      for (let i = 0; i < 2; i++) noGrad(() => model.forward(randn([2, 3, 20, 25, 2], rng)));
      for (const p of model.edgeImportance!.at(0).data.keys())
        model.edgeImportance!.at(0).data[p] = rng.uniform(0.5, 1.5);
      model.eval();
      const input = randn([2, 3, 20, 25, 2], rng);
      const kept = [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20, 21, 22];
      const output = noGrad(() => model.forward(input, { keptJoints: kept }));
      saveStGcn(model, fixturePath('interop-ts-stgcn.safetensors'), { source: 'asma trainer interop test' });
      writeSafetensors(fixturePath('interop-ts-io.safetensors'), {
        input,
        kept: new IntTensor(BigInt64Array.from(kept.map(BigInt)), [kept.length]),
        output,
      });
      expect(
        decodeSafetensors(readFileSync(fixturePath('interop-ts-stgcn.safetensors'))).tensors.size,
      ).toBeGreaterThan(0);
    },
  );
});
