import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { balancedLambda, ResumeError } from '@asma/trainer';
import { formatDuration } from '@asma/util';
import { JsonlLog } from '@asma/util/node';
import { floatOption, intOption, parseOptions } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { DEFAULT_DEMO, type DemoConfig, PAPER_DEMO, QUICK_DEMO } from '../demo/config.js';
import { environmentLine } from '../demo/environment.js';
import { writeReport } from '../demo/report.js';
import { type DemoSeedResult, prepareData, runDemoSeed } from '../demo/run.js';

const d = DEFAULT_DEMO;
const help = `usage: asma demo [--out <dir>] [options]

The whole ASMa pipeline on the embedded synthetic benchmark, end to end: generate the data (xsub
split), pretrain ASMa (two encoders, asymmetric masks), PSTL and plain Barlow Twins with the same
budget, evaluate every encoder set with the paper's protocols (linear and kNN on frozen features,
fine-tuning, semi-supervised with 1 % and 10 % of the labels, transfer to a noisy variant of the
benchmark) against untrained encoders as a floor, compare them pairwise per seed, train the alignment
module on ASMa's two encoders, distil the aligned teacher into a small student at several alphas
(int8 copy, compact model files, ONNX export checked in onnxruntime-node when installed), and write a report:
  <out>/report.md, report.json, accuracy.svg, loss.svg   the comparison (mean ± std over seeds)
  <out>/seed-<s>/data/xsub/*.npy                         the generated data
  <out>/seed-<s>/<method>/                               checkpoint, encoders, log.jsonl
  <out>/seed-<first>/compress/                           student.asma, student-int8.asma, student.onnx
  <out>/demo.jsonl                                       machine-readable log of every step
Re-running with the same --out resumes finished pretraining runs from their checkpoints.

options:
  --out <dir>            output folder (default demo)
  --seeds <list>         comma-separated seeds (default 0; docs/results.md uses 0,1,2)
  --quick                a seconds-long smoke run (tiny data and models; the same as --scale quick)
  --scale <s>            demo (default), quick, or paper: the paper's ST-GCN-16 encoders (50 frames,
                         projector 6144, lambda 2e-4, batch 128) on 100 clips per class, 50 epochs; sized
                         for one GPU (--backend webgpu). Options given with it override its values
  --per-class <n>        synthetic clips per class (default ${d.perClass})
  --cameras <n>          camera views 1..5 (yaw 0, +-45, +-90 degrees; default ${d.cameras}): with fewer, an
                         untrained encoder is nearly as good as a pretrained one (docs/results.md)
  --frames <n>           frames per clip (default ${d.frames}; masks drop T/5 by motion + T/5 at random)
  --base <n>             ST-GCN base width (default ${d.base}; the paper's ST-GCN-16 is 16)
  --features <n>         encoder output features (default ${d.features}; paper 256)
  --width <n>            Barlow Twins projector width (default ${d.projectorWidth}; paper 6144)
  --lambda <x>           Barlow Twins off-diagonal weight (default: balanced for the width, lambda * width =
                         the paper's 2e-4 * 6144 = 1.23, i.e. ${d.lambda} at ${d.projectorWidth}; 2e-4 at 256 collapses)
  --epochs <n>           pretraining epochs (default ${d.pretrainEpochs})
  --batch <n>            pretraining batch size (default ${d.batchSize})
  --lr <x>               pretraining Adam learning rate (default ${d.lr})
  --linear-epochs <n>    linear-evaluation epochs (default ${d.linearEpochs})
  --align-epochs <n>     alignment-module epochs (default ${d.alignEpochs})
  --distill-epochs <n>   student distillation epochs (default ${d.distillEpochs}; 0 skips the distillation
                         study, and int8 and ONNX export, which run on the first seed)
  --distill-alphas <l>   alphas of the distillation study, every seed (default ${d.distillAlphas.join(',')}; 1 = labels only)
  --finetune-epochs <n>  epochs of the fine-tune and transfer fine-tune protocols (default ${d.finetuneEpochs};
                         0 skips fine-tune, semi-supervised and transfer fine-tuning)
  --finetune-lr <x>      fine-tuning Adam learning rate, cosine (default ${d.finetuneLr})
  --finetune-batch <n>   fine-tuning batch size (default ${d.finetuneBatch})
  --semi-fractions <l>   label fractions of the semi-supervised protocol (default ${d.semiFractions.join(',')})
  --semi-epochs <n>      semi-supervised fine-tuning epochs (default ${d.semiEpochs})
  --no-transfer          leave out the transfer protocol (noisy variant of the benchmark)
  --transfer-finetune    transfer by fine-tuning too (default: frozen features only; as long again as
                         the fine-tune protocol)
  --methods <list>       methods to compare (default ${d.methods.join(',')}; also random)`;

function parseSeeds(text: string | undefined): number[] {
  if (text === undefined) return [0];
  const seeds = text.split(',').map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new UsageError(`--seeds must be comma-separated non-negative integers, got '${text}'`);
  return seeds;
}

function parseList(
  name: string,
  text: string | undefined,
  fallback: number[],
  min: number,
  max: number,
): number[] {
  if (text === undefined) return [...fallback];
  const values = text.split(',').map((s) => Number(s.trim()));
  if (text.trim() === '' || values.some((v) => !(v >= min && v <= max)))
    throw new UsageError(`--${name} must be comma-separated numbers in [${min}, ${max}], got '${text}'`);
  return values;
}

function parseMethods(text: string | undefined): string[] {
  if (text === undefined) return [...d.methods];
  const methods = text.split(',').map((s) => s.trim());
  for (const m of methods)
    if (!['asma', 'pstl', 'random', 'barlow-twins'].includes(m))
      throw new UsageError(`--methods: unknown method '${m}' (expected asma, pstl, random, barlow-twins)`);
  return methods;
}

const SCALES: Record<string, Partial<DemoConfig>> = { demo: {}, quick: QUICK_DEMO, paper: PAPER_DEMO };

export function demoConfig(
  values: Record<string, string | undefined>,
  quick: boolean,
  flags: { noTransfer?: boolean; transferFinetune?: boolean } = {},
): DemoConfig {
  const scale = values.scale ?? (quick ? 'quick' : 'demo');
  if (!(scale in SCALES)) throw new UsageError(`--scale must be demo, quick or paper, got '${scale}'`);
  if (quick && scale !== 'quick') throw new UsageError(`--quick and --scale ${scale} contradict each other`);
  const b: DemoConfig = { ...d, ...SCALES[scale] };
  const epochs = intOption('epochs', values.epochs, b.pretrainEpochs, 1);
  const projectorWidth = intOption('width', values.width, b.projectorWidth, 2);
  return {
    ...b,
    perClass: intOption('per-class', values['per-class'], b.perClass, 2),
    cameras: camerasOption(values.cameras, b.cameras),
    frames: intOption('frames', values.frames, b.frames, 10),
    base: intOption('base', values.base, b.base, 1),
    features: intOption('features', values.features, b.features, 2),
    projectorWidth,
    // Balanced for the width unless given (the paper's lambda * width).
    lambda: floatOption('lambda', values.lambda, balancedLambda(projectorWidth), { min: 0 }),
    pretrainEpochs: epochs,
    batchSize: intOption('batch', values.batch, b.batchSize, 2),
    lr: floatOption('lr', values.lr, b.lr, { min: 0, exclusiveMin: true }),
    linearEpochs: intOption('linear-epochs', values['linear-epochs'], b.linearEpochs, 1),
    alignEpochs: intOption('align-epochs', values['align-epochs'], b.alignEpochs, 1),
    distillEpochs: intOption('distill-epochs', values['distill-epochs'], b.distillEpochs, 0),
    warmupEpochs: Math.min(b.warmupEpochs, epochs - 1),
    methods: parseMethods(values.methods),
    finetuneEpochs: intOption('finetune-epochs', values['finetune-epochs'], b.finetuneEpochs, 0),
    finetuneLr: floatOption('finetune-lr', values['finetune-lr'], b.finetuneLr, {
      min: 0,
      exclusiveMin: true,
    }),
    semiFractions: parseList(
      'semi-fractions',
      values['semi-fractions'],
      b.semiFractions,
      Number.MIN_VALUE,
      1,
    ),
    semiEpochs: intOption('semi-epochs', values['semi-epochs'], b.semiEpochs, 1),
    finetuneBatch: intOption('finetune-batch', values['finetune-batch'], b.finetuneBatch, 2),
    transferNoise: flags.noTransfer ? false : b.transferNoise,
    transferFinetune: flags.transferFinetune ?? b.transferFinetune,
    distillAlphas: parseList('distill-alphas', values['distill-alphas'], b.distillAlphas, 0, 1),
  };
}

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'the main job: pretrain ASMa, PSTL and Barlow Twins on synthetic data, evaluate, align, report',
  help,
  onDevice: true,
  async run(args) {
    const { values, flags } = parseOptions(
      args,
      [
        'out',
        'seeds',
        'scale',
        'per-class',
        'cameras',
        'frames',
        'base',
        'features',
        'width',
        'lambda',
        'epochs',
        'batch',
        'lr',
        'linear-epochs',
        'align-epochs',
        'distill-epochs',
        'distill-alphas',
        'finetune-epochs',
        'finetune-lr',
        'finetune-batch',
        'semi-fractions',
        'semi-epochs',
        'methods',
      ],
      false,
      ['quick', 'no-transfer', 'transfer-finetune'],
    );
    const out = values.out ?? 'demo';
    const seeds = parseSeeds(values.seeds);
    const base = demoConfig(values, flags.quick ?? false, {
      noTransfer: flags['no-transfer'],
      transferFinetune: flags['transfer-finetune'] || undefined,
    });
    mkdirSync(out, { recursive: true });
    const log = new JsonlLog(join(out, 'demo.jsonl'));
    const started = performance.now();
    const results: DemoSeedResult[] = [];
    for (const seed of seeds) {
      const c = { ...base, seed };
      const dir = join(out, `seed-${seed}`);
      console.log(`seed ${seed}: generating data, then pretraining ${c.methods.join(', ')}`);
      const data = prepareData(c, join(dir, 'data'));
      const r = await runDemoSeed(c, dir, data, log, true, results.length === 0).catch((e: unknown) => {
        if (!(e instanceof ResumeError)) throw e;
        // The demo resumes the pretrainings it finds: say what to do about a folder from other settings.
        throw new ResumeError(
          `${e.message}. asma demo resumes the runs it finds in --out, and ${dir} holds a demo with other settings or data (a demo from before five camera views became the default is one: --cameras 3 continues it); choose another --out or remove ${dir}`,
        );
      });
      results.push(r);
      for (const e of r.evaluations)
        console.log(`  ${e.name.padEnd(32)} val top-1 ${(100 * e.valAccuracy).toFixed(1)} %`);
      console.log(`  seed ${seed} done in ${formatDuration(r.seconds)}`);
    }
    const files = writeReport(out, base, results, environmentLine());
    log.write({ event: 'done', seconds: (performance.now() - started) / 1000, files });
    console.log(`report: ${files[0]} (${formatDuration((performance.now() - started) / 1000)} in all)`);
    return 0;
  },
};

function camerasOption(value: string | undefined, fallback: number): number {
  const n = intOption('cameras', value, fallback, 1);
  if (n > 5)
    throw new UsageError(`--cameras must be 1..5 (the synthetic benchmark has five views), got ${n}`);
  return n;
}
