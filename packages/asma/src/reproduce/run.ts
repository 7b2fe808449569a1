/**
 * `asma reproduce`: the paper's table from raw downloads. Stages, each resumable: convert every
 * benchmark; pretrain ASMa on each (the first epoch gives the time estimate, and without `yes` the run
 * stops there); then every protocol on the pretrained pair, each stored as <out>/<benchmark>/results/
 * <protocol>.json as soon as it finishes, so a re-run skips what is done; the table is rewritten after
 * every stage.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AlignmentModule,
  accuracy,
  classCount,
  clipCount,
  type EpochRecord,
  encodeClips,
  joinFeatures,
  predictAlignment,
  requireLabels,
  type StGcn,
} from '@asma/trainer';
import { formatDuration } from '@asma/util';
import { type JsonlLog, writeFileAtomic } from '@asma/util/node';
import { UsageError } from '../command.js';
import type { DemoConfig } from '../demo/config.js';
import {
  alignFeatures,
  distillationStudy,
  type EncoderSet,
  FINETUNE,
  finetuneScore,
  type LabelledSplit,
  semiProtocol,
} from '../demo/protocols.js';
import { pretrainMethod, scoreFeatures } from '../demo/run.js';
import { loadSplit } from '../split.js';
import { type Benchmark, benchmarksOf, type RawSources } from './benchmarks.js';
import { reproduceTable, rowsOf, type ScoreTable } from './table.js';

/** The paper's settings (PSTL's optimisation, ST-GCN-16, projector 6144); every field is an option. */
export const PAPER_RECIPE: DemoConfig = {
  seed: 0,
  perClass: 0,
  cameras: 0,
  frames: 50,
  base: 16,
  features: 256,
  projectorWidth: 6144,
  lambda: 2e-4,
  pretrainEpochs: 300,
  batchSize: 128,
  lr: 5e-3,
  warmupEpochs: 10,
  linearEpochs: 150,
  alignEpochs: 60,
  distillEpochs: 30,
  methods: ['asma'],
  finetuneEpochs: 150,
  finetuneLr: 5e-3,
  finetuneBatch: 128,
  semiFractions: [0.01, 0.1],
  semiEpochs: 150,
  transferNoise: false,
  transferFinetune: true,
  distillAlphas: [0.5],
};

export interface ReproduceOptions {
  sources: RawSources;
  out: string;
  recipe: DemoConfig;
  /** Go on after the first epoch's estimate (otherwise stop there; a later run resumes). */
  yes: boolean;
  log: JsonlLog;
  print?: (line: string) => void;
}

export interface ReproduceResult {
  /** 'estimate': stopped after the estimate, as asked; 'done': the whole table. */
  status: 'estimate' | 'done';
  estimateSeconds: number;
  table: ScoreTable;
}

class StopAfterEstimate extends Error {}

/** The recipe this folder was started with; a different one is refused (the results would mix). */
function checkRecipe(out: string, recipe: DemoConfig, sources: RawSources): void {
  const path = join(out, 'recipe.json');
  const now = { recipe, sources };
  if (existsSync(path)) {
    const was = JSON.parse(readFileSync(path, 'utf8')) as typeof now;
    const differ = Object.keys(recipe).filter(
      (k) =>
        JSON.stringify(was.recipe[k as keyof DemoConfig]) !== JSON.stringify(recipe[k as keyof DemoConfig]),
    );
    for (const k of Object.keys(sources) as (keyof RawSources)[])
      if (was.sources[k] !== sources[k]) differ.push(`--${k}`);
    if (differ.length > 0)
      throw new UsageError(
        `${out} holds a reproduce run with other settings (${differ.join(', ')} differ; see ${path}): use the same options to resume, or another --out`,
      );
    return;
  }
  writeFileAtomic(path, `${JSON.stringify(now, null, 2)}\n`);
}

/** Seconds of the first finished pretraining epoch in a run folder's log, if any. */
function firstEpochSeconds(dir: string): number | null {
  const path = join(dir, 'log.jsonl');
  if (!existsSync(path)) return null;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { event?: string; epoch?: number; seconds?: number };
    if (r.event === 'epoch' && r.epoch === 0 && typeof r.seconds === 'number') return r.seconds;
  }
  return null;
}

/**
 * Wall-clock estimate of the whole run from one pretraining epoch on `n0` clips: pretraining scales with
 * clips x epochs; a fine-tuning epoch of the pair is taken as half a pretraining epoch (two encoder
 * passes per clip instead of four); linear, kNN and alignment run on cached features and are left out.
 */
export function estimateRun(
  c: DemoConfig,
  seconds: number,
  n0: number,
  clips: { pretrain: number[]; transfer: number[] },
): { pretrain: number; protocols: number; total: number } {
  const perClip = seconds / n0;
  const pretrain = clips.pretrain.reduce((a, n) => a + n * perClip * c.pretrainEpochs, 0);
  const ftEpochs = c.finetuneEpochs + c.semiFractions.reduce((a, f) => a + f * c.semiEpochs, 0);
  const transfer = clips.transfer.reduce((a, n) => a + n, 0);
  const protocols = clips.pretrain.reduce(
    (a, n) => a + 0.5 * perClip * (n * ftEpochs + transfer * c.finetuneEpochs),
    0,
  );
  return { pretrain, protocols, total: pretrain + protocols };
}

export async function reproduce(o: ReproduceOptions): Promise<ReproduceResult> {
  const print = o.print ?? ((line: string) => console.log(line));
  const c = o.recipe;
  const benchmarks = benchmarksOf(o.sources);
  mkdirSync(o.out, { recursive: true });
  checkRecipe(o.out, c, o.sources);

  // Stage 1: conversion (each converter resumes its own shards).
  const splits = new Map<string, LabelledSplit>();
  for (const b of benchmarks) {
    const dataDir = join(o.out, b.id, 'data');
    const s = b.convert(dataDir, c.frames);
    if (s.train === 0 || s.val === 0)
      throw new UsageError(
        `${b.title}: the conversion gave ${s.train} training and ${s.val} validation clips (${s.skipped.length} files skipped; see ${join(dataDir, 'manifest.json')})`,
      );
    print(`${b.title}: ${s.train} train / ${s.val} val clips${s.resumedShards > 0 ? ' (resumed)' : ''}`);
    o.log.write({
      event: 'converted',
      benchmark: b.id,
      train: s.train,
      val: s.val,
      skipped: s.skipped.length,
    });
    const train = loadSplit('data', dataDir, 'train');
    const val = loadSplit('data', dataDir, 'val');
    splits.set(b.id, { train, val, classes: Math.max(classCount(train), classCount(val)) });
  }
  const pretrained = benchmarks.filter((b) => b.pretrain);
  const targets = benchmarks.filter((b) => !b.pretrain);
  const clipsOf = (b: Benchmark) => clipCount(splits.get(b.id)!.train);

  // Stage 2: the estimate from the first pretraining epoch (read back from the log when resumed).
  const first = pretrained[0]!;
  let estimateSeconds = 0;
  const announce = (seconds: number) => {
    const e = estimateRun(c, seconds, clipsOf(first), {
      pretrain: pretrained.map(clipsOf),
      transfer: targets.map(clipsOf),
    });
    estimateSeconds = e.total;
    const line = `estimate from the first epoch (${seconds.toFixed(1)} s on ${clipsOf(first)} clips, ${first.title}): pretraining ${formatDuration(e.pretrain)}, protocols about ${formatDuration(e.protocols)}, in all about ${formatDuration(e.total)}`;
    print(line);
    o.log.write({ event: 'estimate', firstEpochSeconds: seconds, ...e });
    writeFileAtomic(
      join(o.out, 'estimate.json'),
      `${JSON.stringify({ firstEpochSeconds: seconds, ...e }, null, 2)}\n`,
    );
  };
  const firstDir = join(o.out, first.id, 'pretrain');
  const known = firstEpochSeconds(firstDir);
  const table: ScoreTable = new Map();
  if (known !== null) announce(known);
  if (known !== null && !o.yes) {
    print('stopping here, as asked: run again with --yes to commit (it resumes from this checkpoint)');
    return { status: 'estimate', estimateSeconds, table };
  }

  for (const b of pretrained) {
    const split = splits.get(b.id)!;
    const dir = join(o.out, b.id);
    const onEpoch =
      b === first && known === null
        ? (r: EpochRecord) => {
            if (r.epoch !== 0) return;
            announce(r.seconds);
            if (!o.yes) throw new StopAfterEstimate();
          }
        : undefined;
    let encoders: StGcn[];
    try {
      const { method } = await pretrainMethod(c, 'asma', split.train, join(dir, 'pretrain'), true, onEpoch);
      encoders = method.encoders.map((e) => e.encoder);
    } catch (e) {
      if (!(e instanceof StopAfterEstimate)) throw e;
      print('stopping here, as asked: run again with --yes to commit (it resumes from this checkpoint)');
      return { status: 'estimate', estimateSeconds, table };
    }
    o.log.write({ event: 'pretrained', benchmark: b.id });
    await runProtocols(c, b, split, encoders, targets, splits, dir, table, o, print);
  }
  return { status: 'done', estimateSeconds, table };
}

/** Every protocol on one benchmark's pretrained pair, each stored when done and skipped when stored. */
async function runProtocols(
  c: DemoConfig,
  b: Benchmark,
  split: LabelledSplit,
  encoders: StGcn[],
  targets: readonly Benchmark[],
  splits: Map<string, LabelledSplit>,
  dir: string,
  table: ScoreTable,
  o: ReproduceOptions,
  print: (line: string) => void,
): Promise<void> {
  const results = join(dir, 'results');
  mkdirSync(results, { recursive: true });
  const row = new Map<string, number>();
  table.set(b.id, { title: b.title, scores: row });
  const save = () => {
    writeFileAtomic(join(o.out, 'table.md'), reproduceTable(c, table, targets));
    writeFileAtomic(
      join(o.out, 'results.json'),
      `${JSON.stringify({ recipe: c, rows: rowsOf(table) }, null, 2)}\n`,
    );
  };
  /** A stage's scores: stored ones if present, else computed, stored (atomically) and logged. */
  const stage = async (name: string, run: () => Promise<Record<string, number>>) => {
    const path = join(results, `${name.replace(/[^a-z0-9]+/gi, '-')}.json`);
    const stored = existsSync(path);
    const scores = stored ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>) : await run();
    if (!stored) writeFileAtomic(path, `${JSON.stringify(scores, null, 2)}\n`);
    for (const [k, v] of Object.entries(scores)) row.set(k, v);
    o.log.write({ event: 'protocol', benchmark: b.id, stage: name, resumed: stored, scores });
    print(
      `${b.title} ${name}: ${Object.entries(scores)
        .map(([k, v]) => `${k} ${(100 * v).toFixed(1)} %`)
        .join(', ')}${stored ? ' (stored)' : ''}`,
    );
    save();
  };
  const pair: EncoderSet = { name: 'ASMa (A+B)', encoders };
  const labels = { train: requireLabels(split.train), val: requireLabels(split.val) };
  type Frozen = { train: Float32Array; val: Float32Array };
  let features: { a: Frozen; b: Frozen } | undefined;
  const frozen = async () => {
    const enc = async (e: StGcn) => ({
      train: await encodeClips(e, split.train),
      val: await encodeClips(e, split.val),
    });
    features ??= { a: await enc(encoders[0]!), b: await enc(encoders[1]!) };
    return features;
  };
  await stage('linear', async () => {
    const f = await frozen();
    const part = (p: 'train' | 'val') =>
      joinFeatures([
        { features: f.a[p], dim: encoders[0]!.outChannels },
        { features: f.b[p], dim: encoders[1]!.outChannels },
      ]);
    const s = await scoreFeatures(
      c,
      split.classes,
      { ...part('train'), labels: labels.train },
      { ...part('val'), labels: labels.val },
    );
    return { linear: s.valAccuracy, kNN: s.knnAccuracy! };
  });
  // The alignment module: its score, and the teacher the distillation needs (trained again when only
  // the distillation is left to do: it takes seconds on cached features).
  let aligned: AlignmentModule | undefined;
  const alignment = async () => {
    const f = await frozen();
    aligned ??= await alignFeatures(c, { a: f.a.train, b: f.b.train }, labels.train, split.classes);
    return aligned;
  };
  let teacherAccuracy = 0;
  await stage('aligned teacher', async () => {
    const f = await frozen();
    const m = await alignment();
    teacherAccuracy = accuracy(await predictAlignment(m, f.a.val, f.b.val), labels.val);
    return { 'linear, aligned teacher': teacherAccuracy };
  });
  teacherAccuracy = row.get('linear, aligned teacher')!;
  await stage(FINETUNE, async () => ({
    [FINETUNE]: (await finetuneScore(c, pair, split, { outDir: join(dir, 'finetune') })).valAccuracy,
  }));
  for (const fraction of c.semiFractions) {
    const name = semiProtocol(fraction);
    await stage(name, async () => ({
      [name]: (await finetuneScore(c, pair, split, { fraction, outDir: join(dir, `semi-${fraction}`) }))
        .valAccuracy,
    }));
  }
  if (b.id.startsWith('ntu'))
    for (const t of targets) {
      const name = `transfer to ${t.title}`;
      await stage(name, async () => ({
        [name]: (await finetuneScore(c, pair, splits.get(t.id)!, { outDir: join(dir, `transfer-${t.id}`) }))
          .valAccuracy,
      }));
    }
  if (c.distillEpochs > 0)
    await stage('distilled student', async () => {
      const teacher = { encoderA: encoders[0]!, encoderB: encoders[1]!, alignment: await alignment() };
      const study = await distillationStudy(c, teacher, split, split.classes, teacherAccuracy, o.log);
      return Object.fromEntries(study.map((s) => [`distilled student, alpha ${s.alpha}`, s.valAccuracy]));
    });
  print(`${b.title}: done`);
}
