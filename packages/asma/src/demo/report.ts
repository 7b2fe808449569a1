/**
 * The demo report: a markdown table of linear-evaluation accuracy (mean and standard deviation over
 * seeds), pretraining loss curves and an accuracy bar chart as SVG, and the raw numbers as JSON.
 * Files are written atomically.
 */
import { join } from 'node:path';
import { compressionTable } from '@asma/compress';
import {
  balancedLambda,
  barChartSvg,
  COLLAPSED_REDUNDANCY,
  lineChartSvg,
  PAPER_LAMBDA_WIDTH,
} from '@asma/trainer';
import { writeFileAtomic } from '@asma/util/node';
import type { DemoConfig } from './config.js';
import {
  comparisons,
  distillationMarkdown,
  protocolColumns,
  protocolMarkdown,
  protocolScores,
} from './protocol-report.js';
import { type DemoSeedResult, label } from './run.js';

export interface Summary {
  name: string;
  parameters: number;
  /** Linear-evaluation val top-1 over seeds. */
  mean: number;
  std: number;
  values: number[];
  /** kNN val top-1 over seeds (absent for the trained alignment module). */
  knn?: { mean: number; std: number; values: number[] };
  /** Mean effective rank of the validation features over seeds, raw and standardised. */
  effectiveRank?: number;
  correlationRank?: number;
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std =
    values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, std };
}

/** Validation accuracy of each evaluated set, across seeds, in first-seed order. */
export function summarize(results: readonly DemoSeedResult[]): Summary[] {
  const names = results[0]?.evaluations.map((e) => e.name) ?? [];
  return names.map((name) => {
    const rows = results.map((r) => r.evaluations.find((e) => e.name === name)!);
    const values = rows.map((e) => e.valAccuracy);
    const summary: Summary = { name, parameters: rows[0]!.parameters, ...meanStd(values), values };
    const knn = rows.map((e) => e.knnAccuracy);
    if (knn.every((v) => v !== undefined)) summary.knn = { ...meanStd(knn), values: knn };
    const ranks = rows.map((e) => e.effectiveRank);
    if (ranks.every((v) => v !== undefined)) summary.effectiveRank = meanStd(ranks).mean;
    const corr = rows.map((e) => e.correlationRank);
    if (corr.every((v) => v !== undefined)) summary.correlationRank = meanStd(corr).mean;
    return summary;
  });
}

const pct = (x: number) => (100 * x).toFixed(1);

export function reportMarkdown(c: DemoConfig, results: readonly DemoSeedResult[], env: string): string {
  const first = results[0]!;
  const s = summarize(results);
  const seeds = results.map((r) => r.seed).join(', ');
  const lines = [
    '# asma demo report',
    '',
    `Synthetic NTU-25 benchmark (16 classes, cross-subject split: ${first.trainClips} training / ${first.valClips} validation clips of ${c.frames} frames, 2 bodies, ${c.cameras} camera views).`,
    `Encoders: ST-GCN, base width ${c.base}, ${c.features}-d features; Barlow Twins projector width ${c.projectorWidth}, lambda ${Number(c.lambda.toPrecision(6))}.`,
    `Pretraining: ${c.pretrainEpochs} epochs, batch ${c.batchSize}, Adam lr ${c.lr}, ${c.warmupEpochs} warm-up epochs, cosine. Linear evaluation: frozen eval-mode features (standardised), Linear(D, classes), Adam lr 0.01, ${c.linearEpochs} epochs. Alignment: ${c.alignEpochs} epochs on the frozen ASMa features.`,
    `Seeds: ${seeds}. ${env}`,
    '',
    `| features | encoder parameters | linear val top-1 (%) mean ± std | per seed | kNN val top-1 (%) mean ± std | per seed | effective rank, raw / standardised |`,
    '|---|---:|---:|---|---:|---|---:|',
    ...s.map(
      (e) =>
        `| ${e.name} | ${e.parameters.toLocaleString('en-US')} | ${pct(e.mean)} ± ${pct(e.std)} | ${e.values.map(pct).join(', ')} | ${e.knn ? `${pct(e.knn.mean)} ± ${pct(e.knn.std)}` : '-'} | ${e.knn ? e.knn.values.map(pct).join(', ') : '-'} | ${e.effectiveRank !== undefined ? `${e.effectiveRank.toFixed(2)} / ${e.correlationRank!.toFixed(2)}` : '-'} |`,
    ),
    '',
    `Chance is ${pct(1 / first.classes)} %. kNN: k = 20 cosine neighbours among the training clips, weighted exp(similarity / 0.07). Effective rank: exp of the entropy of the validation features' covariance spectrum (1 when they lie on one line, at most the width), raw and standardised per dimension (the correlation matrix, what the linear probe sees): both near 1 is collapse; a low raw rank alone is a few loud dimensions.`,
    '',
    '| method | pretraining time per seed (s) | samples/s | final loss | projection redundancy, last epoch |',
    '|---|---:|---:|---:|---:|',
    ...first.pretraining.map((p) => {
      const times = results.map((r) => r.pretraining.find((q) => q.method === p.method)!.seconds);
      const last = p.history[p.history.length - 1];
      const sps = p.history.reduce((a, h) => a + h.samplesPerSecond, 0) / Math.max(1, p.history.length);
      const redundancy = last?.parts.redundancy;
      return `| ${label(p.method)} | ${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(1)} | ${sps.toFixed(1)} | ${last ? last.loss.toFixed(2) : '-'} | ${redundancy !== undefined ? redundancy.toFixed(2) : '-'} |`;
    }),
    '',
    `Projection redundancy: the mean squared cross-correlation of distinct Barlow Twins projection features (0: decorrelated, 1: collapsed onto one). Above ${COLLAPSED_REDUNDANCY} the projections collapsed; lambda * width is ${(c.lambda * c.projectorWidth).toPrecision(3)} here, ${PAPER_LAMBDA_WIDTH.toPrecision(3)} in the paper (--lambda ${balancedLambda(c.projectorWidth).toPrecision(2)} keeps that balance at width ${c.projectorWidth}).`,
    '',
    ...protocolMarkdown(results, c),
    ...distillationMarkdown(results),
    ...(first.compression
      ? [
          `## Compression (seed ${first.seed}): the aligned ASMa teacher distilled into a small ST-GCN student`,
          '',
          compressionTable(first.compression),
          '',
        ]
      : []),
    '![linear evaluation](accuracy.svg)',
    '',
    '![pretraining loss](loss.svg)',
    '',
  ];
  return lines.join('\n');
}

/** Every protocol's per-seed scores and the paired comparisons, for report.json. */
function protocolJson(results: readonly DemoSeedResult[], c: DemoConfig) {
  const table = protocolScores(results);
  const columns = protocolColumns(table, c.semiFractions);
  return {
    scores: Object.fromEntries(
      [...table].map(([set, row]) => [
        set,
        Object.fromEntries(columns.filter((p) => row.has(p)).map((p) => [p, row.get(p)])),
      ]),
    ),
    comparisons: comparisons(table, columns),
  };
}

export function writeReport(
  outDir: string,
  c: DemoConfig,
  results: readonly DemoSeedResult[],
  env: string,
): string[] {
  const s = summarize(results);
  const accuracySvg = barChartSvg({
    title: `Linear evaluation, val top-1 (mean ± std over ${results.length} seed${results.length > 1 ? 's' : ''})`,
    yLabel: 'accuracy (%)',
    bars: s.map((e) => ({ label: e.name, value: 100 * e.mean, error: 100 * e.std })),
  });
  const lossSvg = lineChartSvg({
    title: `Pretraining loss (seed ${results[0]!.seed})`,
    xLabel: 'epoch',
    yLabel: 'Barlow Twins loss (sum of terms)',
    logY: true,
    integerX: true,
    series: results[0]!.pretraining.map((p) => ({
      name: label(p.method),
      points: p.history.map((h) => [h.epoch + 1, h.loss] as const),
    })),
  });
  const files = {
    'report.md': reportMarkdown(c, results, env),
    'report.json': `${JSON.stringify({ config: c, summary: s, protocols: protocolJson(results, c), results }, null, 2)}\n`,
    'accuracy.svg': accuracySvg,
    'loss.svg': lossSvg,
  };
  return Object.entries(files).map(([name, text]) => {
    const path = join(outDir, name);
    writeFileAtomic(path, text);
    return path;
  });
}
