#!/usr/bin/env node
/**
 * A/B of whole ST-GCN workloads (the `asma bench` ones: training step with a linear head, cross-entropy
 * and Adam; eval-mode inference) between this checkout's build and other builds loaded in the same
 * process, interleaved over rounds so machine load hits every candidate alike. A base build is a folder
 * with packages/{kernels,autodiff,skeleton,masking,trainer}/{dist,package.json} and
 * node_modules/@asma/<name> symlinks to them. Run after `pnpm build`:
 *   node benchmarks/stgcn/ab.mjs --base /tmp/asma-base --rounds 5 [--no-recycling] [--channels 16 --out 256 --batch 16]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from '../timing.mjs';

const { values } = parseArgs({
  options: {
    channels: { type: 'string', default: '16' },
    out: { type: 'string', default: '256' },
    batch: { type: 'string', default: '16' },
    frames: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
    base: { type: 'string', multiple: true, default: [] },
    // Also time this build with buffer recycling off (setBufferRecycling(false)).
    'no-recycling': { type: 'boolean', default: false },
  },
});
const [bc, oc, batch, frames, rounds] = [
  values.channels,
  values.out,
  values.batch,
  values.frames,
  values.rounds,
].map(Number);
const here = fileURLToPath(new URL('../..', import.meta.url));

async function load(root) {
  const ad = await import(`${root}/packages/autodiff/dist/index.js`);
  const k = await import(`${root}/packages/kernels/dist/index.js`);
  const tr = await import(`${root}/packages/trainer/dist/index.js`);
  const rng = new k.Rng(0);
  const model = new tr.StGcn({ rng, baseChannels: bc, outChannels: oc });
  const head = new ad.Linear(oc, 60, { rng });
  const opt = new ad.Adam([...model.parameters(), ...head.parameters()], { lr: 1e-3 });
  const x = ad.randn([batch, 3, frames, 25, 2], rng);
  const labels = Array.from({ length: batch }, () => rng.int(60));
  let loss = 0;
  const train = () => {
    model.train();
    const l = ad.crossEntropy(head.forward(model.forward(x)), labels);
    opt.zeroGrad();
    l.backward();
    opt.step();
    loss = l.item();
  };
  const infer = () => {
    model.eval();
    ad.noGrad(() => head.forward(model.forward(x)));
  };
  return { ad, train, infer, loss: () => loss, backend: k.getBackend().name };
}

/** The same workload with buffer recycling switched off around it. */
function withoutRecycling(c) {
  const off = (f) => () => {
    const prev = c.ad.setGradientRecycling(false);
    try {
      f();
    } finally {
      c.ad.setGradientRecycling(prev);
    }
  };
  return { ...c, train: off(c.train), infer: off(c.infer) };
}

const candidates = {};
for (const [i, b] of values.base.entries())
  candidates[values.base.length > 1 ? `base${i + 1}` : 'base'] = await load(b);
candidates.current = await load(here);
if (values['no-recycling']) candidates['current, no recycling'] = withoutRecycling(await load(here));
const names = Object.keys(candidates);
const times = {};
for (const n of names) times[n] = { train: [], infer: [] };
for (const c of Object.values(candidates)) {
  c.train(); // warm-up: JIT, wasm tier-up, scratch pools
  c.infer();
}
const clock = (f) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
for (let r = 0; r < rounds; r++)
  for (const n of names) {
    times[n].train.push(clock(candidates[n].train));
    times[n].infer.push(clock(candidates[n].infer));
    console.log(
      `round ${r + 1}/${rounds} ${n}: train ${times[n].train.at(-1).toFixed(0)} ms, infer ${times[n].infer.at(-1).toFixed(0)} ms, loss ${candidates[n].loss().toFixed(6)}`,
    );
  }
const ref = names[0];
console.log(
  `\nST-GCN base ${bc} / features ${oc}, batch ${batch}, frames ${frames}, backend ${candidates.current.backend}, Node ${process.version}, median of ${rounds} interleaved rounds`,
);
console.log(
  `| build | train ms | train samples/s | ${ref} / this (train) | infer ms | infer samples/s | ${ref} / this (infer) |`,
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const n of names) {
  const t = median(times[n].train);
  const i = median(times[n].infer);
  console.log(
    `| ${n} | ${t.toFixed(0)} | ${((batch * 1000) / t).toFixed(2)} | ${(median(times[ref].train) / t).toFixed(2)} | ${i.toFixed(0)} | ${((batch * 1000) / i).toFixed(2)} | ${(median(times[ref].infer) / i).toFixed(2)} |`,
  );
}
