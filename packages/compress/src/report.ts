// What the compression pipeline reports (../node/report.ts runs it), and its markdown table.
import type { ActionClassifier } from '@asma/trainer';
import type { BenchResult } from './bench.js';
import type { OnnxCheck } from './onnx-check.js';

export interface ModelRow {
  name: string;
  parameters: number;
  valAccuracy: number;
  fileBytes?: number;
}

export interface CompressionReport {
  backend: string;
  classes: number;
  trainClips: number;
  valClips: number;
  teacher: ModelRow;
  student: ModelRow & { plan: ActionClassifier['encoder']['plan'] };
  pruned?: ModelRow;
  int8: ModelRow & { maxLogitError: number };
  /** student parameters / teacher parameters. */
  parameterRatio: number;
  /** float file bytes / int8 file bytes. */
  int8SizeRatio: number;
  onnx: { bytes: number; check: OnnxCheck };
  speed: BenchResult;
  /** Teacher ms per clip / student ms per clip, by batch size. */
  speedup: Record<number, number>;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** The speed table's row of the float student as a compiled plan (the int8 row is the int8 plan). */
export const FLOAT_PLAN_ROW = 'student as a compiled plan (float)';

/** Markdown: one row per model (parameters, share of the teacher, file, accuracy, ms per clip). */
export function compressionTable(r: CompressionReport): string {
  const rows = [r.teacher, r.student, ...(r.pruned ? [r.pruned] : []), r.int8];
  const ms = (name: string, bs: number) => {
    const row = r.speed.rows.find((x) => x.name === name && x.batchSize === bs);
    return row ? row.msPerClip.toFixed(2) : '-';
  };
  const sizes = [...new Set(r.speed.rows.map((x) => x.batchSize))];
  const lines = [
    `| model | parameters | of teacher | file | val top-1 | ${sizes.map((b) => `ms/clip B=${b}`).join(' | ')} |`,
    `|---|---|---|---|---|${sizes.map(() => '---|').join('')}`,
  ];
  for (const m of rows) {
    const name = m.name;
    lines.push(
      `| ${m.name} | ${m.parameters.toLocaleString('en-US')} | ${pct(m.parameters / r.teacher.parameters)} | ${m.fileBytes === undefined ? '-' : `${(m.fileBytes / 1024).toFixed(1)} KiB`} | ${pct(m.valAccuracy)} | ${sizes.map((b) => ms(name, b)).join(' | ')} |`,
    );
    if (m === (r.pruned ?? r.student))
      lines.push(`| ${FLOAT_PLAN_ROW} | | | | | ${sizes.map((b) => ms(FLOAT_PLAN_ROW, b)).join(' | ')} |`);
  }
  const c = r.onnx.check;
  const speed = sizes.map((b) => `${r.speedup[b]?.toFixed(1) ?? '-'}x at B=${b}`).join(', ');
  lines.push(
    '',
    `Backend ${r.backend}; the compiled plans (float and int8) run on the CPU in WebAssembly SIMD, one thread. Student speed-up over the teacher (both eager): ${speed}. ` +
      `int8 file ${r.int8SizeRatio.toFixed(2)}x smaller than float; int8 vs float accuracy ${(100 * (r.int8.valAccuracy - (r.pruned ?? r.student).valAccuracy)).toFixed(1)} points, max logit error ${r.int8.maxLogitError.toExponential(2)}. ` +
      `ONNX (${(r.onnx.bytes / 1024).toFixed(1)} KiB): ${c.ran ? `onnxruntime-node logits match, relative error ${c.relativeError!.toExponential(1)}` : `not run: ${c.reason}`}.`,
  );
  return lines.join('\n');
}
