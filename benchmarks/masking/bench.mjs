/**
 * Masking benchmark: clips/s of drawing and applying masks to a (128, 3, 50, 25, 2) batch on the
 * CPU (plain JS, no kernel backend involved). Cases: motion energy alone; the ASMa pair's masks
 * (energy + 2 joint draws + 2 per-clip frame selections); applying them by gather (2 joint
 * removals + 2 frame removals); the whole step (sample + apply); the same for PSTL's single view and
 * for zero masks. benchmark.js, interleaved rounds, median reported (the machine is shared).
 * Run: `pnpm tsc -b packages/masking && node benchmarks/masking/bench.mjs [--quick]`.
 */
import { fileURLToPath } from 'node:url';
import { asmaViews, pstlViews } from '@asma/masking';
import { generateSynthetic, motionEnergy, sliceBatch } from '@asma/skeleton';
import { Rng } from '@asma/util';
import Benchmark from 'benchmark';
import { median } from '../timing.mjs';

function measure(fn) {
  const bench = new Benchmark({ fn, minSamples: 5, maxTime: 0.5, initCount: 1 });
  bench.run({ async: false });
  if (bench.error) throw bench.error;
  return bench.hz;
}

export function runMaskingBench({ rounds = 5, quick = false, log = console.log } = {}) {
  const n = quick ? 32 : 128;
  const data = generateSynthetic({ seed: 0, samplesPerClass: Math.ceil(n / 16) });
  const batch = sliceBatch(data, 0, n);
  const asma = asmaViews({ frames: 50 });
  const pstl = pstlViews({ frames: 50 });
  const rng = new Rng(0);
  const masks = asma.sample(batch, rng);
  const applyPair = (ms) => ms.map((m, i) => asma.views[i].apply(batch, m));
  const cases = [
    { name: 'motion energy (N, T)', fn: () => motionEnergy(batch) },
    { name: 'ASMa pair: sample masks', fn: () => asma.sample(batch, rng) },
    { name: 'ASMa pair: apply (gather)', fn: () => applyPair(masks) },
    { name: 'ASMa pair: sample + apply (gather)', fn: () => applyPair(asma.sample(batch, rng)) },
    {
      name: 'ASMa pair: sample + apply (zero mask)',
      fn: () => asma.sample(batch, rng).map((m, i) => asma.views[i].apply(batch, m, 'zero')),
    },
    {
      name: 'PSTL view: sample + apply (gather)',
      fn: () => pstl.sample(batch, rng).map((m) => pstl.views[0].apply(batch, m)),
    },
  ];
  const samples = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    log(`masking: round ${r + 1}/${rounds}`);
    for (const [i, c] of cases.entries()) samples[i].push(measure(c.fn));
  }
  return {
    batch: batch.shape,
    rounds,
    results: cases.map((c, i) => {
      const hz = median(samples[i]);
      return { case: c.name, backend: 'js (CPU, 1 thread)', msPerBatch: 1000 / hz, clipsPerSecond: hz * n };
    }),
  };
}

export function maskingTable(r) {
  const lines = [
    `batch (${r.batch.join(', ')}), median of ${r.rounds} rounds`,
    '',
    '| case | backend | ms / batch | clips / s |',
    '|---|---|---:|---:|',
  ];
  for (const x of r.results) {
    lines.push(
      `| ${x.case} | ${x.backend} | ${x.msPerBatch.toFixed(2)} | ${Math.round(x.clipsPerSecond).toLocaleString('en-US')} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const r = runMaskingBench({ rounds: quick ? 2 : 5, quick });
  console.log(`\n## Masking (Node ${process.version})\n`);
  console.log(maskingTable(r));
}
