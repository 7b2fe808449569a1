/**
 * The demo report's protocol sections: every protocol for every encoder set (mean ± std and per seed),
 * the paired comparisons that the paper's claims rest on, and the distillation study.
 */
import type { DemoConfig } from './config.js';
import { type PairedComparison, pairedComparison } from './paired.js';
import { FINETUNE, semiProtocol, TRANSFER_FINETUNE, TRANSFER_KNN, TRANSFER_LINEAR } from './protocols.js';
import type { DemoSeedResult } from './run.js';

export const LINEAR = 'linear';
export const KNN = 'kNN';

/** Per set, per protocol: val top-1 of every seed (seed order); only sets and protocols every seed has. */
export function protocolScores(results: readonly DemoSeedResult[]): Map<string, Map<string, number[]>> {
  const table = new Map<string, Map<string, number[]>>();
  const put = (set: string, protocol: string, seed: number, value: number) => {
    const row = table.get(set) ?? new Map<string, number[]>();
    table.set(set, row);
    const values = row.get(protocol) ?? new Array<number>(results.length).fill(Number.NaN);
    row.set(protocol, values);
    values[seed] = value;
  };
  results.forEach((r, i) => {
    for (const e of r.evaluations) {
      put(e.name, LINEAR, i, e.valAccuracy);
      if (e.knnAccuracy !== undefined) put(e.name, KNN, i, e.knnAccuracy);
    }
    for (const p of r.protocols) put(p.set, p.protocol, i, p.valAccuracy);
  });
  for (const row of table.values())
    for (const [protocol, values] of row) if (values.some((v) => Number.isNaN(v))) row.delete(protocol);
  return table;
}

/** Protocol columns in the paper's order, those present in the table. */
export function protocolColumns(
  table: Map<string, Map<string, number[]>>,
  fractions: readonly number[],
): string[] {
  const order = [
    LINEAR,
    KNN,
    FINETUNE,
    ...fractions.map(semiProtocol),
    TRANSFER_LINEAR,
    TRANSFER_KNN,
    TRANSFER_FINETUNE,
  ];
  return order.filter((p) => [...table.values()].some((row) => row.has(p)));
}

const pct = (x: number) => (100 * x).toFixed(1);

function meanStd(values: readonly number[]): string {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std =
    values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return `${pct(mean)} ± ${pct(std)}`;
}

/** The comparisons behind the paper's claims, at equal parameters and at the paper's (unequal) ones. */
export const COMPARISONS: readonly [a: string, b: string, why: string][] = [
  ['ASMa encoder A', 'PSTL', 'equal parameters'],
  ['ASMa encoder B', 'PSTL', 'equal parameters'],
  ['ASMa (A+B)', 'PSTL', "the paper's comparison: 2x the parameters"],
  ['ASMa (A+B)', 'no pretraining, two encoders (random init)', 'equal parameters: does pretraining help?'],
  ['PSTL', 'no pretraining (random init)', 'equal parameters: does pretraining help?'],
  ['Barlow Twins (no masking)', 'no pretraining (random init)', 'equal parameters: does pretraining help?'],
  ['ASMa encoder A', 'Barlow Twins (no masking)', 'equal parameters: do the masks help?'],
  ['ASMa + alignment module', 'ASMa (A+B)', 'what the alignment module adds'],
];

export interface ComparisonRow extends PairedComparison {
  a: string;
  b: string;
  why: string;
  protocol: string;
}

export function comparisons(
  table: Map<string, Map<string, number[]>>,
  columns: readonly string[],
): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const [a, b, why] of COMPARISONS) {
    const ra = table.get(a);
    const rb = table.get(b);
    if (!ra || !rb) continue;
    for (const protocol of columns) {
      const va = ra.get(protocol);
      const vb = rb.get(protocol);
      if (va && vb) rows.push({ a, b, why, protocol, ...pairedComparison(va, vb) });
    }
  }
  return rows;
}

/** ✓ supported, ~ same sign on every seed, ✗ sign changes, = equal on every seed; '' with too few seeds. */
function mark(c: PairedComparison): string {
  if (c.verdict.startsWith('supported')) return ' ✓';
  if (c.verdict.startsWith('every seed')) return ' ~';
  if (c.verdict.startsWith('not supported')) return ' ✗';
  if (c.verdict.startsWith('no difference')) return ' =';
  return '';
}

function comparisonGrid(table: Map<string, Map<string, number[]>>, columns: readonly string[]): string[] {
  const rows = comparisons(table, columns);
  return COMPARISONS.flatMap(([a, b, why]) => {
    const cells = columns.map((p) => {
      const r = rows.find((x) => x.a === a && x.b === b && x.protocol === p);
      return r ? `${r.mean >= 0 ? '+' : ''}${pct(r.mean)}${mark(r)}` : '-';
    });
    return rows.some((x) => x.a === a && x.b === b)
      ? [`| ${a} | ${b} | ${why} | ${cells.join(' | ')} |`]
      : [];
  });
}

export function protocolMarkdown(results: readonly DemoSeedResult[], c: DemoConfig): string[] {
  const table = protocolScores(results);
  const columns = protocolColumns(table, c.semiFractions);
  if (!columns.some((p) => p !== LINEAR && p !== KNN)) return [];
  const first = results[0]!;
  const labelled = (p: string) => first.protocols.find((q) => q.protocol === p)?.labelled;
  const head = columns.map((p) => {
    const n = labelled(p);
    return n === undefined || p === FINETUNE ? p : `${p} (${n} labelled clips)`;
  });
  const rows = [...table].filter(([, row]) => row.size > 1);
  const lines = [
    '## Every protocol',
    '',
    `Val top-1 (%), mean ± std over ${results.length} seed${results.length > 1 ? 's' : ''}. Fine-tune: encoder(s) + Linear, all trainable, from a copy of the pretrained weights (two encoders: their features concatenated), Adam lr ${c.finetuneLr} cosine, batch ${c.finetuneBatch}, ${c.finetuneEpochs} epochs (semi: ${c.semiEpochs}). Semi: the same on a class-balanced fraction of the training labels (at least one clip per class; fractions that keep the same clips are one run). Transfer: encoders pretrained on the clean clips, evaluated on a noisy variant of the benchmark (a limb occluded over 40 % of the frames in half the clips, 2 cm jitter, 5 % of joints lost per frame, like PKU-MMD II) with frozen features${columns.includes(TRANSFER_FINETUNE) ? ' and with fine-tuning' : ''}.`,
    '',
    `| features | ${head.join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
    ...rows.map(
      ([set, row]) =>
        `| ${set} | ${columns.map((p) => (row.has(p) ? meanStd(row.get(p)!) : '-')).join(' | ')} |`,
    ),
    '',
    'Per seed:',
    '',
    `| features | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '---').join('|')}|`,
    ...rows.map(
      ([set, row]) =>
        `| ${set} | ${columns.map((p) => (row.has(p) ? row.get(p)!.map(pct).join(', ') : '-')).join(' | ')} |`,
    ),
    '',
    '## Paired comparisons',
    '',
    `Mean per-seed difference in points (a - b; the same seed gives both the same data and split), per protocol. ✓: every seed agrees in sign and a paired t-test gives p < 0.05 (with 3 seeds: t >= 4.3); ~: every seed agrees in sign, not significant; ✗: the sign changes between seeds (no claim either way); =: equal on every seed. Per-seed differences are in report.json.`,
    '',
    `| a | b | why | ${columns.join(' | ')} |`,
    `|---|---|---|${columns.map(() => '---:').join('|')}|`,
    ...comparisonGrid(table, columns),
    '',
  ];
  return lines;
}

export function distillationMarkdown(results: readonly DemoSeedResult[]): string[] {
  const alphas = results[0]?.distillation.map((d) => d.alpha) ?? [];
  if (alphas.length === 0 || results.some((r) => r.distillation.length !== alphas.length)) return [];
  const teacher = results.map((r) => r.distillation[0]!.teacherAccuracy);
  return [
    '## Distillation: student against teacher',
    '',
    `The aligned ASMa teacher distilled into the small student (depth 4, width 6) with L = alpha * CE(labels) + (1 - alpha) * tau^2 * KL(teacher || student), tau 4, on every seed. alpha 1 uses the labels alone (no teacher): the student's accuracy without distillation. Teacher: ${meanStd(teacher)} (${teacher.map(pct).join(', ')}).`,
    '',
    '| alpha | student val top-1 (%) | per seed | student - teacher | per seed | verdict |',
    '|---:|---:|---|---:|---|---|',
    ...alphas.map((alpha, k) => {
      const student = results.map((r) => r.distillation[k]!.valAccuracy);
      const p = pairedComparison(student, teacher);
      return `| ${alpha} | ${meanStd(student)} | ${student.map(pct).join(', ')} | ${p.mean >= 0 ? '+' : ''}${pct(p.mean)} | ${p.differences.map((d) => `${d >= 0 ? '+' : ''}${pct(d)}`).join(', ')} | ${p.verdict} |`;
    }),
    '',
  ];
}
