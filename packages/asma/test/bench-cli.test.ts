import { expect, it, vi } from 'vitest';
import { UsageError } from '../src/command.js';
import { benchCommand } from '../src/commands/bench.js';

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

it('asma bench --json prints exactly one JSON line with the figures and the environment', async () => {
  const lines = await run([...tiny, '--json']);
  expect(lines).toHaveLength(1);
  const r = JSON.parse(lines[0]!);
  for (const k of ['train_samples_per_s', 'infer_samples_per_s', 'latency_ms_b1']) {
    expect(typeof r[k]).toBe('number');
    expect(r[k]).toBeGreaterThan(0);
  }
  expect(r.backend).toBe('cpu');
  expect(['wasm-simd+fma', 'wasm-simd', 'js']).toContain(r.gemm);
  expect(r).toMatchObject({ threads: 1, batch: 2, frames: 10, persons: 2, node: process.version });
  expect(typeof r.cpu).toBe('string');
  expect(r.parameters).toBeGreaterThan(0);
  expect(r.profile).toBeUndefined();
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
    'add (residual)',
  ])
    expect(train).toContain(k);
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
