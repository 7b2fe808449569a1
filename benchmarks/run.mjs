#!/usr/bin/env node
/**
 * `pnpm bench`: builds the packages the benchmarks import (they load the compiled dist/), then runs
 * each suite and prints its table (the last, ST-GCN end to end, also builds packages/asma). Options: --quick (small batch, 2 rounds), --rounds N, --json FILE.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    json: { type: 'string' },
  },
});
const quick = values.quick;
const rounds = values.rounds ? Number.parseInt(values.rounds, 10) : quick ? 2 : 5;
if (!(rounds >= 1)) throw new Error(`--rounds: expected a positive integer, got ${values.rounds}`);

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/.bin/tsc', import.meta.url));
console.log('building @asma/kernels, @asma/skeleton, @asma/masking (tsc -b)');
execFileSync(tsc, ['-b', 'packages/kernels', 'packages/skeleton', 'packages/masking'], {
  cwd: root,
  stdio: 'inherit',
});

const { kernelTable, runKernelBench } = await import('./kernels/bench.mjs');
const kernels = runKernelBench({ rounds, quick });
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  date: new Date().toISOString(),
  torch: kernels.torchVersion,
  rounds,
};
console.log(
  `\n## Kernels (${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, torch ${machine.torch ?? 'absent'}, ${machine.date}, median of ${rounds} interleaved rounds)\n`,
);
console.log(kernelTable(kernels));

const { maskingTable, runMaskingBench } = await import('./masking/bench.mjs');
const masking = runMaskingBench({ rounds, quick });
console.log('\n## Masking\n');
console.log(maskingTable(masking));

console.log('\n## Skeleton readers (NTU .skeleton parse + frame50)\n');
const parseScript = fileURLToPath(new URL('./skeleton/parse.mjs', import.meta.url));
execFileSync(
  process.execPath,
  [parseScript, '--files', quick ? '40' : '200', '--rounds', String(Math.min(rounds, 3))],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

console.log('\nbuilding asma (tsc -b packages/asma) for `asma bench`');
execFileSync(tsc, ['-b', 'packages/asma'], { cwd: root, stdio: 'inherit' });
const { runStgcnBench, stgcnTable } = await import('./stgcn/bench.mjs');
const stgcn = runStgcnBench({ rounds: Math.min(rounds, 3), quick });
const s = stgcn.shape;
console.log(
  `\n## ST-GCN end to end (asma bench vs PyTorch ${stgcn.torchVersion ?? 'absent'}; batch ${s.batch}, frames ${s.frames}, median of ${stgcn.rounds} rounds of ${s.steps} steps)\n`,
);
console.log(stgcnTable(stgcn));

if (values.json)
  writeFileSync(values.json, `${JSON.stringify({ machine, kernels, masking, stgcn }, null, 2)}\n`);
