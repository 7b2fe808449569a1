/**
 * ST-GCN-16 end to end, asma vs its peers on this machine: `asma bench --json` (a fresh Node process
 * each round) and PyTorch's CPU build (tools/torch/bench_stgcn.py, 1 and 2 threads; marked absent when
 * /usr/bin/python3 or torch is missing). Rounds alternate the engines so machine load hits them alike;
 * each engine's figure is the median over rounds of its per-round medians.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = fileURLToPath(new URL('../../packages/asma/dist/cli.js', import.meta.url));
const torchScript = fileURLToPath(new URL('../../tools/torch/bench_stgcn.py', import.meta.url));
const PY = '/usr/bin/python3';
const METRICS = ['train_samples_per_s', 'infer_samples_per_s', 'latency_ms_b1'];

function shape(quick) {
  return quick
    ? { batch: 4, frames: 20, steps: 1, extra: ['--base', '4', '--features', '32'] }
    : { batch: 16, frames: 50, steps: 3, extra: [] };
}

function runAsma(s) {
  const args = [
    cli,
    'bench',
    '--json',
    '--batch',
    String(s.batch),
    '--frames',
    String(s.frames),
    '--steps',
    String(s.steps),
    ...s.extra,
  ];
  const out = execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  return [{ engine: 'asma', ...JSON.parse(out.trim().split('\n').at(-1)) }];
}

function runTorch(s) {
  if (!existsSync(PY)) return { absent: `${PY} not found` };
  const extra = s.extra.length ? ['--base', '4', '--features', '32'] : [];
  try {
    const args = [
      torchScript,
      '--batch',
      String(s.batch),
      '--frames',
      String(s.frames),
      '--steps',
      String(s.steps),
      ...extra,
    ];
    const out = execFileSync(PY, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  } catch (e) {
    const msg = String(e.stderr || e.message)
      .trim()
      .split('\n')
      .at(-1);
    return { absent: `torch peer failed: ${msg}` };
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

export function runStgcnBench({ rounds = 3, quick = false, log = console.log } = {}) {
  const s = shape(quick);
  const samples = new Map(); // engine -> metric -> values
  let torchAbsent = null;
  const meta = {};
  for (let r = 0; r < rounds; r++) {
    log(`stgcn: round ${r + 1}/${rounds}`);
    const rows = [...runAsma(s)];
    if (torchAbsent === null) {
      const t = runTorch(s);
      if (Array.isArray(t)) rows.push(...t);
      else torchAbsent = t.absent;
    }
    for (const row of rows) {
      meta[row.engine] ??= row;
      if (!samples.has(row.engine)) samples.set(row.engine, Object.fromEntries(METRICS.map((m) => [m, []])));
      for (const m of METRICS) samples.get(row.engine)[m].push(row[m]);
    }
  }
  const results = [...samples].map(([engine, v]) => ({
    engine,
    ...Object.fromEntries(METRICS.map((m) => [m, median(v[m])])),
    spread: Object.fromEntries(METRICS.map((m) => [m, [Math.min(...v[m]), Math.max(...v[m])]])),
    backend: meta[engine].backend,
    gemm: meta[engine].gemm ?? null,
    threads: meta[engine].threads,
    parameters: meta[engine].parameters,
  }));
  return { results, torchAbsent, torchVersion: meta['torch-1t']?.torch ?? null, shape: s, rounds };
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** Markdown table: figures per engine with spreads, and asma's ratio to each engine (> 1: asma ahead). */
export function stgcnTable({ results, torchAbsent }) {
  const asma = results.find((r) => r.engine === 'asma');
  const lines = [
    '| engine | backend | params | train samples/s | infer samples/s | latency B=1 ms | asma / this (train) | asma / this (infer) | asma / this (latency) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const sp = (m) => `${fmt(r[m])} (${fmt(r.spread[m][0])}-${fmt(r.spread[m][1])})`;
    const be = r.gemm
      ? `${r.backend} (gemm ${r.gemm}, ${r.threads} thread)`
      : `${r.backend}, ${r.threads} thread(s)`;
    lines.push(
      `| ${r.engine} | ${be} | ${r.parameters.toLocaleString('en-US')} | ${sp('train_samples_per_s')} | ${sp('infer_samples_per_s')} | ${sp('latency_ms_b1')} | ${(asma.train_samples_per_s / r.train_samples_per_s).toFixed(2)} | ${(asma.infer_samples_per_s / r.infer_samples_per_s).toFixed(2)} | ${(r.latency_ms_b1 / asma.latency_ms_b1).toFixed(2)} |`,
    );
  }
  if (torchAbsent) lines.push(`| torch | absent: ${torchAbsent} | | | | | | | |`);
  return lines.join('\n');
}
