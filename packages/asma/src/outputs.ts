/** What the training commands write besides checkpoints: JSON reports, SVG charts, scores. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Tensor } from '@asma/autodiff';
import { accuracy, type LineSeries, lineChartSvg, topK } from '@asma/trainer';

/** Write text atomically (temp file + rename), creating the folder. */
export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function writeJson(path: string, value: unknown): void {
  writeText(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A line chart over epochs. Points carry the histories' 0-based epoch indices; the chart counts
 * epochs from 1, as the progress lines do, with whole-number ticks.
 */
export function writeEpochChart(
  path: string,
  title: string,
  yLabel: string,
  series: LineSeries[],
  references: { y: number; label: string }[] = [],
): void {
  const shifted = series.map((s) => ({ ...s, points: s.points.map(([x, y]) => [x + 1, y] as const) }));
  writeText(
    path,
    lineChartSvg({ title, xLabel: 'epoch', yLabel, series: shifted, integerX: true, references }),
  );
}

/** Accuracy curves (fractions in the histories) in %, as the command line prints them, with the chance line. */
export function writeAccuracyChart(path: string, title: string, series: LineSeries[], classes: number): void {
  const percent = series.map((s) => ({ ...s, points: s.points.map(([x, y]) => [x, 100 * y] as const) }));
  const chance = classes > 0 ? [{ y: 100 / classes, label: `chance (${(100 / classes).toFixed(1)} %)` }] : [];
  writeEpochChart(path, title, 'accuracy (%)', percent, chance);
}

export interface Scores {
  top1: number;
  /** Only with more than 5 classes (with 5 or fewer it is 100 % by definition). */
  top5?: number;
}

/** Top-1 and (with more than 5 classes) top-5 accuracy of (N, C) logits. */
export function scores(logits: Tensor, labels: ArrayLike<number>): Scores {
  const classes = logits.shape[1]!;
  const top1 = accuracy(logits, labels);
  return classes > 5 ? { top1, top5: topK(logits, labels, 5) } : { top1 };
}

/** "top-1 81.2 %, top-5 96.0 %" */
export function formatScores(s: Scores): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return s.top5 === undefined ? `top-1 ${pct(s.top1)}` : `top-1 ${pct(s.top1)}, top-5 ${pct(s.top5)}`;
}
