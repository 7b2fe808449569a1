/**
 * `asma bench --method asma|pstl|barlow-twins`: pretraining samples/s of a method as `asma pretrain`
 * runs it (augmentation and masks drawn on the host each step, every encoder, head and loss on the
 * active backend, Adam; each step submitted as it is recorded, one read at the end), on a seeded
 * synthetic batch. It also times the host's data part alone and the same steps with their data drawn
 * beforehand: on a device backend, a pipelined step as fast as a step with its data ready means the
 * device did not wait for the data (on the CPU the two add up: one processor does both).
 */
import { Adam, flushDevice, type Tensor } from '@asma/autodiff';
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
  /** Wall time per step as `asma pretrain` runs them: data drawn, step recorded and submitted, in turn. */
  pretrain_step_ms: number;
  /** Host time per step for the data alone: clips gathered, three augmentations, the masks. */
  data_ms: number;
  /** Wall time per step with every step's data drawn beforehand: the device's (or CPU's) own pace. */
  data_ready_step_ms: number;
  /**
   * Share of a pipelined step lost to waiting for data: 1 - data_ready_step_ms / pretrain_step_ms
   * (0: the data costs the device nothing; on the CPU about data_ms / pretrain_step_ms).
   */
  data_wait_share: number;
  projector: number;
  encoders: number;
  parameters: number;
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
  const prepare = method.prepare!;
  const lossOf = method.lossOf!;
  const opt = new Adam(method.module.parameters(), { lr: 1e-3 });
  const rng = new Rng(2);
  const indices = Array.from({ length: o.batch }, (_, i) => i % data.shape[0]!);
  let dataMs = 0;
  const draw = (): unknown => {
    const t0 = performance.now();
    const inputs = prepare(gatherClips(clips, indices).batch, rng);
    dataMs += performance.now() - t0;
    return inputs;
  };
  const run = (inputs: unknown): Tensor => {
    opt.zeroGrad();
    const { loss } = lossOf(inputs);
    loss.backward();
    opt.step();
    flushDevice();
    return loss;
  };
  /** Wall ms per step of `steps` steps, the last loss read at the end (the device's queue drained). */
  const timed = async (inputs: () => unknown, steps: number): Promise<number> => {
    const t0 = performance.now();
    let loss: Tensor | null = null;
    for (let s = 0; s < steps; s++) loss = run(inputs());
    await loss!.read();
    return (performance.now() - t0) / steps;
  };
  await timed(draw, 1); // warm-up: JIT, wasm tier-up, pools (on a device: pipelines compiled)
  dataMs = 0;
  const stepMs = await timed(draw, o.steps);
  const dataPerStep = dataMs / o.steps;
  const ready = Array.from({ length: o.steps }, draw);
  let next = 0;
  const readyMs = await timed(() => ready[next++], o.steps);
  let parameters = 0;
  for (const e of method.encoders) parameters += e.encoder.numParameters();
  return {
    method: o.method,
    pretrain_samples_per_s: (o.batch * 1000) / stepMs,
    pretrain_step_ms: stepMs,
    data_ms: dataPerStep,
    data_ready_step_ms: readyMs,
    data_wait_share: Math.max(0, 1 - readyMs / stepMs),
    projector: o.projector,
    encoders: method.encoders.length,
    parameters,
  };
}
