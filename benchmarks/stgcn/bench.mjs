/**
 * ST-GCN-16 end to end, asma vs its peers on this machine: `asma bench --json` (a fresh Node process
 * each round), PyTorch's CPU build (tools/torch/bench_stgcn.py, 1 and 2 threads; marked absent when
 * /usr/bin/python3 or torch is missing) and TensorFlow.js 4.22 (./tfjs.mjs in fresh Node processes:
 * tfjs-backend-wasm every round, tfjs-backend-cpu in the first round only, because one of its B=16
 * inference passes takes ~35-40 s and a training step ~100-120 s per sample; marked absent when @tensorflow/tfjs
 * does not import). Rounds alternate the engines so machine load hits them alike; each engine's figure is
 * the median over rounds of its per-round medians. A figure an engine cannot produce (tfjs-backend-wasm has
 * no Conv2DBackpropFilter kernel, so no training) is null, with the engine's note under the table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from '../timing.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = fileURLToPath(new URL('../../packages/asma/dist/cli.js', import.meta.url));
const torchScript = fileURLToPath(new URL('../../tools/torch/bench_stgcn.py', import.meta.url));
const tfjsScript = fileURLToPath(new URL('./tfjs.mjs', import.meta.url));
const PY = '/usr/bin/python3';
const METRICS = ['train_samples_per_s', 'infer_samples_per_s', 'latency_ms_b1'];

// tfjsCpu: extra arguments for tfjs-backend-cpu, which runs one round only. At full size it infers once
// without warm-up and times one training step at batch 1 without warm-up (~3 minutes in all on the
// 2-core machine; one B=16 step would take ~20 minutes); the JSON row says so in train_note.
function shape(quick) {
  return quick
    ? {
        batch: 4,
        frames: 20,
        steps: 1,
        extra: ['--base', '4', '--features', '32'],
        tfjsCpu: ['--train-batch', '4', '--train-steps', '1', '--train-warmup', '0'],
      }
    : {
        batch: 16,
        frames: 50,
        steps: 3,
        extra: [],
        tfjsCpu: [
          '--steps',
          '1',
          '--warmup',
          '0',
          '--train-batch',
          '1',
          '--train-steps',
          '1',
          '--train-warmup',
          '0',
        ],
      };
}

/** The workload options every engine's script takes. */
const workload = (s) => [
  '--batch',
  String(s.batch),
  '--frames',
  String(s.frames),
  '--steps',
  String(s.steps),
];

/** asma on all cores (the default) and, as `asma-1t`, on one thread: what the kernel threads buy. */
function runAsma(s, threads = null) {
  const args = [
    cli,
    'bench',
    '--json',
    ...workload(s),
    ...(threads === null ? [] : ['--threads', String(threads)]),
    ...s.extra,
  ];
  const out = execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  return [{ engine: threads === 1 ? 'asma-1t' : 'asma', ...JSON.parse(out.trim().split('\n').at(-1)) }];
}

/** `asma bench --profile` once: the per-layer tables of one training step and one inference pass. */
export function asmaProfile(quick = false) {
  const s = shape(quick);
  const args = [
    cli,
    'bench',
    '--profile',
    '--batch',
    String(s.batch),
    '--frames',
    String(s.frames),
    ...s.extra,
  ];
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

function runTorch(s) {
  if (!existsSync(PY)) return { absent: `${PY} not found` };
  const extra = s.extra.length ? ['--base', '4', '--features', '32'] : [];
  try {
    const args = [torchScript, ...workload(s), ...extra];
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

/** One JSON row from a fresh Node process running ./tfjs.mjs; exit status 2 means tfjs is not installed. */
function runTfjs(s, backend) {
  const args = [
    tfjsScript,
    '--backend',
    backend,
    '--json',
    ...workload(s),
    ...s.extra,
    ...(backend === 'cpu' ? s.tfjsCpu : []),
  ];
  try {
    const out = execFileSync(process.execPath, args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return [
      JSON.parse(
        out
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .at(-1),
      ),
    ];
  } catch (e) {
    const lines = String(e.stderr || e.message)
      .trim()
      .split('\n');
    const msg = lines.find((l) => /not installed|^\w*Error\b/.test(l)) ?? lines.at(-1);
    return { absent: e.status === 2 ? msg : `tfjs-${backend} peer failed: ${msg}` };
  }
}

export function runStgcnBench({ rounds = 3, quick = false, log = console.log } = {}) {
  const s = shape(quick);
  const samples = new Map(); // engine -> metric -> values
  let torchAbsent = null;
  const tfjsAbsent = {}; // engine -> reason
  const meta = {};
  const count = new Map();
  for (let r = 0; r < rounds; r++) {
    log(`stgcn: round ${r + 1}/${rounds}`);
    const rows = [...runAsma(s), ...runAsma(s, 1)];
    if (torchAbsent === null) {
      const t = runTorch(s);
      if (Array.isArray(t)) rows.push(...t);
      else torchAbsent = t.absent;
    }
    for (const backend of ['wasm', 'cpu']) {
      const engine = `tfjs-${backend}`;
      if (tfjsAbsent[engine] || (backend === 'cpu' && r > 0)) continue;
      const t = runTfjs(s, backend);
      if (Array.isArray(t)) rows.push(...t);
      else tfjsAbsent[engine] = t.absent;
    }
    for (const row of rows) {
      meta[row.engine] ??= row;
      count.set(row.engine, (count.get(row.engine) ?? 0) + 1);
      if (!samples.has(row.engine)) samples.set(row.engine, Object.fromEntries(METRICS.map((m) => [m, []])));
      for (const m of METRICS) if (typeof row[m] === 'number') samples.get(row.engine)[m].push(row[m]);
    }
  }
  const results = [...samples].map(([engine, v]) => ({
    engine,
    ...Object.fromEntries(METRICS.map((m) => [m, median(v[m])])),
    spread: Object.fromEntries(
      METRICS.map((m) => [m, v[m].length ? [Math.min(...v[m]), Math.max(...v[m])] : null]),
    ),
    backend: meta[engine].backend,
    gemm: meta[engine].gemm ?? null,
    threads: meta[engine].threads,
    parameters: meta[engine].parameters,
    rounds: count.get(engine),
    note: meta[engine].train_note ?? null,
  }));
  const tfjsVersion = meta['tfjs-wasm']?.tfjs ?? meta['tfjs-cpu']?.tfjs ?? null;
  return {
    results,
    torchAbsent,
    tfjsAbsent,
    torchVersion: meta['torch-1t']?.torch ?? null,
    tfjsVersion,
    shape: s,
    rounds,
  };
}

const fmt = (x) =>
  x === null
    ? '-'
    : x >= 100
      ? x.toFixed(0)
      : x >= 10
        ? x.toFixed(1)
        : x >= 0.1
          ? x.toFixed(2)
          : x.toPrecision(2);
const ratio = (a, b) => (a === null || b === null ? '-' : (a / b).toFixed(2));

/**
 * Markdown table: figures per engine with spreads, and asma's ratio to each engine (> 1: asma ahead);
 * '-' where an engine has no figure. Absent peers get a row each, engine notes follow the table.
 */
export function stgcnTable({ results, torchAbsent, tfjsAbsent = {}, rounds }) {
  const asma = results.find((r) => r.engine === 'asma');
  const lines = [
    '| engine | backend | params | train samples/s | infer samples/s | latency B=1 ms | asma / this (train) | asma / this (infer) | asma / this (latency) |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const sp = (m) => (r[m] === null ? '-' : `${fmt(r[m])} (${fmt(r.spread[m][0])}-${fmt(r.spread[m][1])})`);
    const be = r.gemm
      ? `${r.backend} (gemm ${r.gemm}, ${r.threads} thread${r.threads === 1 ? '' : 's'})`
      : `${r.backend}, ${r.threads} thread(s)`;
    lines.push(
      `| ${r.engine} | ${be} | ${r.parameters.toLocaleString('en-US')} | ${sp('train_samples_per_s')} | ${sp('infer_samples_per_s')} | ${sp('latency_ms_b1')} | ${ratio(asma.train_samples_per_s, r.train_samples_per_s)} | ${ratio(asma.infer_samples_per_s, r.infer_samples_per_s)} | ${ratio(r.latency_ms_b1, asma.latency_ms_b1)} |`,
    );
  }
  if (torchAbsent) lines.push(`| torch | absent: ${torchAbsent} | | | | | | | |`);
  const absent = Object.entries(tfjsAbsent);
  const reasons = [...new Set(absent.map(([, why]) => why))];
  for (const why of reasons) {
    const engines = absent.filter(([, w]) => w === why).map(([e]) => e);
    lines.push(`| ${engines.join(', ')} | absent: ${why} | | | | | | | |`);
  }
  const notes = results
    .filter((r) => r.note || (rounds && r.rounds !== rounds))
    .map((r) => {
      const parts = [];
      if (rounds && r.rounds !== rounds) parts.push(`${r.rounds} of ${rounds} rounds`);
      if (r.note) parts.push(`train: ${r.note}`);
      return `- ${r.engine}: ${parts.join('; ')}`;
    });
  if (notes.length) lines.push('', ...notes);
  return lines.join('\n');
}
