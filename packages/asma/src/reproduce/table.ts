/** The reproduce table in the paper's layout: protocols as rows, benchmarks as columns. */
import type { DemoConfig } from '../demo/config.js';
import { FINETUNE, semiProtocol } from '../demo/protocols.js';
import type { Benchmark } from './benchmarks.js';

/** Per pretrained benchmark (column id): its title and the scores of every finished protocol. */
export type ScoreTable = Map<string, { title: string; scores: Map<string, number> }>;

export function rowsOf(table: ScoreTable): Record<string, { title: string; scores: Record<string, number> }> {
  return Object.fromEntries(
    [...table].map(([id, { title, scores }]) => [id, { title, scores: Object.fromEntries(scores) }]),
  );
}

export function reproduceTable(c: DemoConfig, table: ScoreTable, targets: readonly Benchmark[]): string {
  const columns = [...table.values()];
  const protocols = [
    ['linear', 'linear evaluation (A+B features)'],
    ['kNN', 'kNN (k 20, cosine)'],
    ['linear, aligned teacher', 'linear, aligned teacher (alignment module)'],
    [FINETUNE, 'fine-tune'],
    ...c.semiFractions.map((f) => [semiProtocol(f), `semi-supervised, ${semiProtocol(f).slice(5)} labels`]),
    ...targets.map((t) => [`transfer to ${t.title}`, `transfer to ${t.title} (fine-tune)`]),
    ...c.distillAlphas.map((a) => [`distilled student, alpha ${a}`, `distilled student (alpha ${a})`]),
  ];
  const cell = (v: number | undefined) => (v === undefined ? '-' : (100 * v).toFixed(1));
  return [
    '# asma reproduce',
    '',
    `ASMa (two ST-GCN encoders, base ${c.base}, ${c.features} features; Barlow Twins projector ${c.projectorWidth}, lambda ${c.lambda}), ${c.pretrainEpochs} pretraining epochs, batch ${c.batchSize}, Adam lr ${c.lr}, ${c.warmupEpochs} warm-up epochs; ${c.frames} frames. Linear probe ${c.linearEpochs} epochs; fine-tune ${c.finetuneEpochs} epochs (lr ${c.finetuneLr}); semi-supervised ${c.semiEpochs} epochs. Val top-1 (%); '-': not run yet (the run resumes where it stopped).`,
    '',
    `| protocol | ${columns.map((col) => col.title).join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
    ...protocols.map(
      ([id, title]) => `| ${title} | ${columns.map((col) => cell(col.scores.get(id!))).join(' | ')} |`,
    ),
    '',
  ].join('\n');
}
