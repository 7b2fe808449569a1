/**
 * The premise of the field, as a test that can fail: on a fixed small configuration, self-supervised
 * pretraining gives frozen features a linear probe classifies better than untrained encoders of the
 * same size, paired per seed. ASMa on the demo's synthetic data seen from five cameras (yaw 0, +-45,
 * +-90 degrees: the nuisance that pretraining's rotations teach the encoders to ignore and an untrained
 * encoder keeps), 20 clips per class, 8 epochs, Barlow Twins lambda balanced for the 256-wide projector.
 * Measured (docs/results.md): A+B over two untrained encoders +8.6, +6.3, +11.8 points; encoder A over
 * one untrained encoder +7.1, +4.7, +7.9. One seed per test (about a minute each on 2 cores).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { balancedLambda, classCount, encodeClips, joinFeatures, requireLabels, StGcn } from '@asma/trainer';
import { Rng } from '@asma/util';
import { afterAll, expect, it } from 'vitest';
import { DEFAULT_DEMO, type DemoConfig } from '../src/demo/config.js';
import { methodOptions, prepareData, pretrainMethod, scoreFeatures } from '../src/demo/run.js';

const dir = mkdtempSync(join(tmpdir(), 'asma-science-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Fixed here, so that a change of the demo's defaults does not move the test. */
const SCIENCE: DemoConfig = {
  ...DEFAULT_DEMO,
  perClass: 20,
  cameras: 5,
  frames: 30,
  base: 4,
  features: 32,
  projectorWidth: 256,
  lambda: balancedLambda(256),
  pretrainEpochs: 8,
  batchSize: 32,
  lr: 2e-3,
  warmupEpochs: 2,
  linearEpochs: 100,
};

const SEEDS = [0, 1, 2];
const gains = { pair: [] as number[], single: [] as number[] };

for (const seed of SEEDS)
  it(`seed ${seed}: ASMa pretraining against untrained encoders of the same size (linear probe)`, async () => {
    const c = { ...SCIENCE, seed };
    const data = prepareData(c, join(dir, `data-${seed}`));
    const classes = Math.max(classCount(data.train), classCount(data.val));
    const probe = async (encoders: StGcn[]) => {
      const features = async (part: 'train' | 'val') => {
        const parts = [];
        for (const e of encoders)
          parts.push({ features: await encodeClips(e, data[part]), dim: e.outChannels });
        return { ...joinFeatures(parts), labels: requireLabels(data[part]) };
      };
      return (await scoreFeatures(c, classes, await features('train'), await features('val'))).valAccuracy;
    };
    // The demo's untrained encoders: the first is the single one, the two are the pair.
    const rng = new Rng(seed);
    const o = methodOptions(c).encoder;
    const fresh = [new StGcn({ ...o, rng: rng.fork() }), new StGcn({ ...o, rng: rng.fork() })];
    const { method, history } = await pretrainMethod(c, 'asma', data.train);
    expect(history.at(-1)!.parts.redundancy, `seed ${seed}: projections collapsed`).toBeLessThan(0.5);
    const [a, b] = method.encoders.map((e) => e.encoder);
    gains.pair.push((await probe([a!, b!])) - (await probe(fresh)));
    gains.single.push((await probe([a!])) - (await probe([fresh[0]!])));
  }, 600_000);

it('pretraining beats no pretraining on every seed, by more than a few clips on average', () => {
  expect(gains.pair.length, 'every seed ran').toBe(SEEDS.length);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  for (const [name, g] of Object.entries(gains)) {
    for (const [i, x] of g.entries()) expect(x, `${name}, seed ${SEEDS[i]}: gain ${x}`).toBeGreaterThan(0);
    // 4 points is 5 of the 128 validation clips.
    expect(mean(g), `${name}: mean gain`).toBeGreaterThan(0.04);
  }
});
