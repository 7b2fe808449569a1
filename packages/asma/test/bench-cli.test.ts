import { DEFAULT_RUNTIME_OPTIONS, getBackend } from '@asma/kernels';
import { StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import { expect, it, vi } from 'vitest';
import { UsageError } from '../src/command.js';
import { benchCommand } from '../src/commands/bench.js';
import { withKernelThreads } from '../src/threads.js';

/** The model the tiny run times, counted on its own; the PSTL plan has a residual on 9 of its 10 blocks. */
const expectedParameters = new StGcn({ rng: new Rng(0), baseChannels: 2, outChannels: 8 }).numParameters();
const residualBlocks = 9;

const tiny = ['--base', '2', '--features', '8', '--frames', '10', '--batch', '2', '--steps', '1'];

/** Run the command and return what it printed on stdout. */
async function run(args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void lines.push(String(s)));
  try {
    expect(await benchCommand.run(args)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return lines;
}

/**
 * A clock that moves only when read: every second reading is `durations` ms (in turn) after the one
 * before, so each timed call lasts exactly the next duration if nothing else reads the clock.
 */
function fakeClock(durations: number[]): () => void {
  let t = 1000;
  let reads = 0;
  const spy = vi.spyOn(performance, 'now').mockImplementation(() => {
    if (reads++ % 2 === 1) t += durations[((reads >> 1) - 1) % durations.length]!;
    return t;
  });
  return () => spy.mockRestore();
}

it('asma bench --json prints exactly one JSON line with the figures (medians of the timed calls) and the environment', async () => {
  // Three repetitions of each workload take 10, 30 and 5 ms: the median is 10 ms, the mean 15.
  const restore = fakeClock([10, 30, 5]);
  let lines: string[];
  try {
    lines = await run([...tiny, '--steps', '3', '--json']);
  } finally {
    restore();
  }
  expect(lines).toHaveLength(1);
  const r = JSON.parse(lines[0]!);
  expect(r.train_samples_per_s).toBe(200); // batch 2 in 10 ms
  expect(r.infer_samples_per_s).toBe(200);
  expect(r.latency_ms_b1).toBe(10);
  expect(r.steps).toBe(3);
  expect(r.backend).toBe('cpu');
  expect(['wasm-simd+fma', 'wasm-simd']).toContain(r.gemm); // this Node runs WebAssembly SIMD
  expect(r.runtime_options).toEqual(DEFAULT_RUNTIME_OPTIONS);
  expect(r).toMatchObject({ threads: 1, batch: 2, frames: 10, persons: 2, node: process.version });
  expect(typeof r.cpu).toBe('string');
  // The ST-GCN alone (base 2 / features 8), not its linear head.
  expect(r.parameters).toBe(expectedParameters);
  expect(r.profile).toBeUndefined();
});

it('asma bench --gemm js on kernel threads reports what the workers ran (js), read back from them', async () => {
  const r = await withKernelThreads({ threads: 2, explicit: true, rest: [] }, async () => {
    expect(getBackend().threads).toBe(2);
    return JSON.parse((await run([...tiny, '--gemm', 'js', '--json']))[0]!);
  });
  expect(r).toMatchObject({ threads: 2, gemm: 'js' });
  expect(r.runtime_options).toEqual({ ...DEFAULT_RUNTIME_OPTIONS, gemm: 'js' });
  expect(r.gemm_per_thread).toBeUndefined(); // only when threads disagree
});

it('asma bench --profile times every layer kind of a training step and of inference', async () => {
  const r = JSON.parse((await run([...tiny, '--gemm', 'js', '--json', '--profile']))[0]!);
  expect(r.gemm).toBe('js');
  const kinds = (rows: { kind: string }[]) => rows.map((x) => x.kind);
  const train = kinds(r.profile.train);
  for (const k of [
    'gcn conv 1x1',
    'graph aggregation',
    'tcn conv kt x 1',
    'batchNorm',
    'relu',
    'add + relu (residual)',
    'add (head bias)',
  ])
    expect(train).toContain(k);
  // One linear head: one bias add per pass, forward and backward.
  const bias = r.profile.train.find((x: { kind: string }) => x.kind === 'add (head bias)');
  expect([bias.forwardCalls, bias.backwardCalls]).toEqual([1, 1]);
  // Every block but the first has a residual (identity or 1x1 conv), each one fused add + relu.
  const residual = r.profile.train.find((x: { kind: string }) => x.kind === 'add + relu (residual)');
  expect(residual.forwardCalls).toBe(residualBlocks);
  const bn = r.profile.train.find((x: { kind: string }) => x.kind === 'batchNorm');
  expect(bn.forwardCalls).toBe(bn.backwardCalls);
  expect(bn.forwardMs).toBeGreaterThan(0);
  expect(kinds(r.profile.infer)).toContain('tcn conv kt x 1');
  expect(r.profile.infer.every((x: { backwardCalls: number }) => x.backwardCalls === 0)).toBe(true);
  const table = (await run([...tiny, '--profile'])).join('\n');
  expect(table).toContain('| train step (B=2) |');
  expect(table).toContain('per-layer profile, one training step');
});

it('rejects bad arguments with a UsageError', async () => {
  await expect(benchCommand.run(['--batch', '1'])).rejects.toThrow(UsageError);
  await expect(benchCommand.run(['--gemm', 'gpu'])).rejects.toThrow(/--gemm must be one of auto, js/);
  await expect(benchCommand.run(['--nope'])).rejects.toThrow(UsageError);
});
