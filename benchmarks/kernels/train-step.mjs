#!/usr/bin/env node
/**
 * One ST-GCN + Barlow Twins training step (two views through the encoder, loss, backward, Adam), timed
 * with the cpu backend's gemm on each path: `cpu-js` (setGemmPath('js')) and `cpu` (the default,
 * WebAssembly SIMD for float32 products). With --base DIR (a copy of an older build: DIR/packages/
 * {kernels,autodiff,trainer,...}/dist with their node_modules) that build's step is timed too, as
 * `base`. Candidates are interleaved over rounds; medians and ratios are printed. Run after
 * `pnpm build`: `node benchmarks/kernels/train-step.mjs --channels 16 --out 256 --batch 16 --rounds 3`.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from '../timing.mjs';

const { values } = parseArgs({
  options: {
    channels: { type: 'string', default: '16' },
    out: { type: 'string', default: '256' },
    batch: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    base: { type: 'string' },
  },
});
const [bc, oc, batch, rounds] = [values.channels, values.out, values.batch, values.rounds].map(Number);
const here = fileURLToPath(new URL('../..', import.meta.url));

async function load(root) {
  const ad = await import(`${root}/packages/autodiff/dist/index.js`);
  const k = await import(`${root}/packages/kernels/dist/index.js`);
  const tr = await import(`${root}/packages/trainer/dist/index.js`);
  const rng = new k.Rng(0);
  const enc = new tr.StGcn({ rng, baseChannels: bc, outChannels: oc });
  const head = new tr.BarlowTwinsHead({ rng, inFeatures: oc, width: 512 });
  const opt = new ad.Adam([...enc.parameters(), ...head.parameters()], { lr: 1e-3 });
  const x = ad.randn([batch, 3, 50, 25, 2], rng);
  const step = () => {
    const loss = head.forward(enc.forward(x), enc.forward(x));
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
  return { k, step };
}

const cur = await load(here);
const candidates = {};
if (values.base) {
  const base = await load(values.base);
  candidates.base = base.step;
}
candidates['cpu-js'] = () => {
  const prev = cur.k.setGemmPath('js');
  try {
    cur.step();
  } finally {
    cur.k.setGemmPath(prev);
  }
};
candidates.cpu = () => cur.step();

const times = Object.fromEntries(Object.keys(candidates).map((n) => [n, []]));
for (const f of Object.values(candidates)) f(); // warm-up: JIT, wasm tier-up, scratch pools
for (let r = 0; r < rounds; r++)
  for (const [name, f] of Object.entries(candidates)) {
    const t0 = performance.now();
    f();
    times[name].push((performance.now() - t0) / 1000);
    console.log(`round ${r + 1}/${rounds} ${name} ${times[name].at(-1).toFixed(2)} s`);
  }
const ref = median(times[values.base ? 'base' : 'cpu-js']);
console.log(
  `\nST-GCN baseChannels ${bc}, outChannels ${oc}, batch ${batch} (two views), Node ${process.version}`,
);
for (const [name, t] of Object.entries(times))
  console.log(`${name}: median ${median(t).toFixed(2)} s per step, ${(ref / median(t)).toFixed(2)}x`);
