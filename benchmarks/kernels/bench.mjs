/**
 * Kernel benchmark: GFLOP/s of each JS implementation (benchmark.js) next to PyTorch
 * (tools/torch/bench_kernels.py, when /usr/bin/python3 has torch). Measurements are interleaved
 * over rounds and the median is reported, because the machine is shared and noisy.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Benchmark from 'benchmark';
import { median } from '../timing.mjs';
import { kernelCases } from './cases.mjs';

/** One benchmark.js measurement of fn; returns GFLOP/s. Slow kernels get few samples. */
function measure(fn, flops) {
  const bench = new Benchmark({ fn, minSamples: 2, maxTime: 0.5, initCount: 1 });
  bench.run({ async: false });
  if (bench.error) throw bench.error;
  return (bench.hz * flops) / 1e9;
}

function runTorch(rounds, quick) {
  const py = '/usr/bin/python3';
  const script = fileURLToPath(new URL('../../tools/torch/bench_kernels.py', import.meta.url));
  if (!existsSync(py)) return { absent: `${py} not found` };
  try {
    const args = [script, '--rounds', String(rounds)];
    if (quick) args.push('--quick');
    const out = execFileSync(py, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').at(-1));
  } catch (e) {
    return { absent: `torch benchmark failed: ${String(e.message).split('\n')[0]}` };
  }
}

export function runKernelBench({ rounds = 5, quick = false, log = console.log } = {}) {
  const cases = kernelCases(quick);
  const samples = new Map();
  for (let r = 0; r < rounds; r++) {
    log(`kernels: round ${r + 1}/${rounds}`);
    for (const c of cases)
      for (const impl of c.impls) {
        const key = `${c.name}\u0000${impl.backend}`;
        if (!samples.has(key))
          samples.set(key, { case: c.name, backend: impl.backend, note: impl.note, samples: [] });
        samples.get(key).samples.push(measure(impl.fn, impl.flops));
      }
  }
  const results = [...samples.values()].map((s) => ({ ...s, gflops: median(s.samples) }));
  log('kernels: PyTorch side (tools/torch/bench_kernels.py)');
  const torch = runTorch(rounds, quick);
  if (torch.results)
    for (const t of torch.results) results.push({ ...t, backend: t.backend, torch: torch.torch });
  return { results, torchAbsent: torch.absent ?? null, torchVersion: torch.torch ?? null, rounds };
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/**
 * Markdown table: one row per case x backend, with ratios to naive-ikj, to the cpu backend's wasm
 * SIMD path and to PyTorch (1 and 2 threads).
 */
export function kernelTable({ results, torchAbsent }) {
  const lines = [
    '| case | backend | GFLOP/s (median) | spread (min-max) | x naive | cpu-wasm-simd / this | this / torch-1t | this / torch-2t |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const find = (c, b) => results.find((r) => r.case === c && r.backend === b);
  const caseOrder = [...new Set(results.map((r) => r.case))];
  const rows = [...results].sort((x, y) => caseOrder.indexOf(x.case) - caseOrder.indexOf(y.case));
  for (const r of rows) {
    const naive = find(r.case, 'naive-ikj');
    const cpu = find(r.case, 'cpu-wasm-simd');
    const t1 = find(r.case, 'torch-1t');
    const t2 = find(r.case, 'torch-2t');
    const ratio = (num, den) =>
      num && den ? `${(num.gflops / den.gflops).toFixed(2)}` : torchAbsent && !den ? 'absent' : '-';
    const backend = r.note ? `${r.backend} (${r.note})` : r.backend;
    lines.push(
      `| ${r.case} | ${backend} | ${fmt(r.gflops)} | ${fmt(Math.min(...r.samples))}-${fmt(Math.max(...r.samples))} | ${ratio(r, naive)} | ${ratio(cpu, r)} | ${ratio(r, t1)} | ${ratio(r, t2)} |`,
    );
  }
  if (torchAbsent) lines.push('', `PyTorch: absent (${torchAbsent}).`);
  return lines.join('\n');
}
