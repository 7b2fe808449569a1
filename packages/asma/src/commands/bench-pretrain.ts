/**
 * `asma bench --method asma|pstl|barlow-twins`: pretraining samples/s of a method as `asma pretrain`
 * runs it (augmentation and masks drawn on the CPU each step, every encoder, head and loss on the active
 * backend, Adam), on a seeded synthetic batch. On a device backend each timed step ends with its loss
 * read back, as the training loop's NaN guard does.
 */
import { Adam } from '@asma/autodiff';
import { getBackend } from '@asma/kernels';
import { generateSynthetic } from '@asma/skeleton';
import { createMethod, gatherClips, type MethodName } from '@asma/trainer';
import { Rng } from '@asma/util';

export interface PretrainBenchOptions {
  method: MethodName;
  batch: number;
  frames: number;
  base: number;
  features: number;
  projector: number;
  steps: number;
}

export interface PretrainBenchResult {
  method: MethodName;
  pretrain_samples_per_s: number;
  pretrain_step_ms: number;
  projector: number;
  encoders: number;
  parameters: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

export async function benchPretrain(o: PretrainBenchOptions): Promise<PretrainBenchResult> {
  const data = generateSynthetic({
    seed: 0,
    samplesPerClass: Math.ceil(o.batch / 4),
    classes: 4,
    frames: o.frames,
  });
  const clips = { clips: { data: data.data, shape: data.shape }, labels: data.labels, source: 'synthetic' };
  const method = createMethod(o.method, new Rng(1), {
    encoder: { baseChannels: o.base, outChannels: o.features, frames: o.frames },
    projectorWidth: o.projector,
    // The paper's 10 + 10 dropped frames of 50, scaled to the clip length.
    masking: { motionDrops: Math.round(o.frames / 5), randomDrops: Math.round(o.frames / 5) },
  });
  const opt = new Adam(method.module.parameters(), { lr: 1e-3 });
  const rng = new Rng(2);
  const indices = Array.from({ length: o.batch }, (_, i) => i % data.shape[0]!);
  const device = getBackend().deviceStorage === true;
  const step = async () => {
    const t0 = performance.now();
    opt.zeroGrad();
    const { loss } = method.loss(gatherClips(clips, indices).batch, rng);
    loss.backward();
    opt.step();
    if (device) await loss.readItem();
    return performance.now() - t0;
  };
  await step(); // warm-up
  const ms: number[] = [];
  for (let s = 0; s < o.steps; s++) ms.push(await step());
  const stepMs = median(ms);
  let parameters = 0;
  for (const e of method.encoders) parameters += e.encoder.numParameters();
  return {
    method: o.method,
    pretrain_samples_per_s: (o.batch * 1000) / stepMs,
    pretrain_step_ms: stepMs,
    projector: o.projector,
    encoders: method.encoders.length,
    parameters,
  };
}
