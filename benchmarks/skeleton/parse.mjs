#!/usr/bin/env node
/**
 * NTU reader throughput on generated files in the exact .skeleton format (~100 frames, 1-2 bodies,
 * 7-significant-digit values like the real files: ~230 KB for 2 bodies x 100 frames).
 * Run after `pnpm tsc -b packages/skeleton`:  node benchmarks/skeleton/parse.mjs [--files 200] [--rounds 3]
 * Prints files/s for parse, parse + actor selection + frame50, and the whole convertNtu on disk.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { frame50, parseNtuSkeleton, selectActors } from '@asma/skeleton';
import { convertNtu } from '@asma/skeleton/node';
import { Rng } from '@asma/util';
import { timeMs } from '../timing.mjs';

const { values } = parseArgs({
  options: { files: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' } },
});
const nFiles = Number(values.files);
const rounds = Number(values.rounds);

const r7 = (v) => Number(v.toPrecision(7)).toString();
function makeFile(rng, frames, bodies) {
  const lines = [String(frames)];
  for (let t = 0; t < frames; t++) {
    lines.push(String(bodies));
    for (let b = 0; b < bodies; b++) {
      lines.push(
        `7205759403793${1100 + b} 0 1 1 1 1 0 ${r7(rng.normal() * 0.05)} ${r7(rng.normal() * 0.05)} 2`,
        '25',
      );
      for (let j = 0; j < 25; j++) {
        const x = b + 0.1 * (j % 5) + 0.05 * Math.sin(0.1 * t + j);
        const y = 0.8 - 0.1 * Math.floor(j / 5) + 0.01 * rng.normal();
        const z = 3.5 + 0.01 * rng.normal();
        const proj = [277.419 + 100 * x, 191.8218 - 100 * y, 1036.233 + 300 * x, 519.1677 - 300 * y];
        const q = [rng.uniform(), rng.uniform(), rng.uniform(), rng.uniform()];
        lines.push(`${[x, y, z, ...proj, ...q].map(r7).join(' ')} 2`);
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

const rng = new Rng(7);
const texts = [];
for (let i = 0; i < nFiles; i++) texts.push(makeFile(rng, 80 + rng.int(41), 1 + (i % 2)));
const mb = texts.reduce((s, t) => s + t.length, 0) / 1e6;

/** Median seconds of `rounds` calls after a warm-up call (JIT). */
function time(fn) {
  return timeMs(fn, rounds, 1) / 1000;
}

const tParse = time(() => {
  for (const t of texts) parseNtuSkeleton(t, 'f');
});
const tFull = time(() => {
  for (const t of texts) {
    const raw = selectActors(parseNtuSkeleton(t, 'f'));
    frame50(raw.data, raw.frames);
  }
});
const dir = mkdtempSync(join(tmpdir(), 'asma-bench-ntu-'));
const raw = join(dir, 'raw');
mkdirSync(raw);
const pad = (v) => String(v).padStart(3, '0');
texts.forEach((t, i) => {
  // Unique valid names: camera from i mod 3, subject from i / 3, action from i / 120.
  const name = `S${pad(1 + Math.floor(i / 7200))}C${pad((i % 3) + 1)}P${pad((Math.floor(i / 3) % 40) + 1)}R001A${pad((Math.floor(i / 120) % 60) + 1)}`;
  writeFileSync(join(raw, `${name}.skeleton`), t);
});
let converted = 0;
const tConvert = time(() => {
  rmSync(join(dir, 'out'), { recursive: true, force: true });
  const s = convertNtu(raw, { split: 'xsub', out: join(dir, 'out'), silent: true, logPath: null });
  converted = s.train + s.val;
});
rmSync(dir, { recursive: true, force: true });

console.log(
  `NTU .skeleton reader, ${nFiles} generated files (${((mb / nFiles) * 1000).toFixed(0)} KB each, 80-120 frames, 1-2 bodies), ${cpus()[0]?.model}, Node ${process.version}, median of ${rounds} after a warm-up round, one thread`,
);
console.log(`| stage | files/s | MB/s |`);
console.log(`|---|---|---|`);
console.log(
  `| parse (validate all 12 fields) | ${(nFiles / tParse).toFixed(0)} | ${(mb / tParse).toFixed(1)} |`,
);
console.log(`| parse + actors + frame50 | ${(nFiles / tFull).toFixed(0)} | ${(mb / tFull).toFixed(1)} |`);
console.log(
  `| convertNtu from disk (${converted} files -> .npy) | ${(converted / tConvert).toFixed(0)} | ${(mb / tConvert).toFixed(1)} |`,
);
