import type { NtuName } from './ntu/name.js';

export type NtuBenchmark = 'ntu60' | 'ntu120';

/** Action classes of each benchmark (labels are action - 1). */
export const NTU_CLASSES: Record<NtuBenchmark, number> = { ntu60: 60, ntu120: 120 };
export type NtuSplit = 'xsub' | 'xview' | 'xset';

/** NTU-60 cross-subject training subjects. */
export const NTU60_TRAIN_SUBJECTS: readonly number[] = [
  1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38,
];
/** NTU-120 cross-subject training subjects. */
export const NTU120_TRAIN_SUBJECTS: readonly number[] = [
  ...NTU60_TRAIN_SUBJECTS,
  45,
  46,
  47,
  49,
  50,
  52,
  53,
  54,
  55,
  56,
  57,
  58,
  59,
  70,
  74,
  78,
  80,
  81,
  82,
  83,
  84,
  85,
  86,
  89,
  91,
  92,
  93,
  94,
  95,
  97,
  98,
  100,
  103,
];
/** NTU cross-view training cameras. */
export const NTU_TRAIN_CAMERAS: readonly number[] = [2, 3];

/** Whether a split is defined for a benchmark (xview is NTU-60's, xset NTU-120's). */
export function checkNtuSplit(benchmark: NtuBenchmark, split: NtuSplit): void {
  if (benchmark === 'ntu60' && split === 'xset')
    throw new RangeError('ntu60 has no xset split (use xsub or xview)');
  if (benchmark === 'ntu120' && split === 'xview')
    throw new RangeError('ntu120 has no xview split (use xsub or xset)');
}

/** Whether the file belongs to the benchmark at all (NTU-60: setups 1-17, actions 1-60). */
export function inNtuBenchmark(meta: NtuName, benchmark: NtuBenchmark): boolean {
  return benchmark === 'ntu120' || (meta.setup <= 17 && meta.action <= 60);
}

/** Training (true) or test (false) part of a split: xsub by subject, xview by camera 2/3, xset by even setup. */
export function isNtuTraining(meta: NtuName, benchmark: NtuBenchmark, split: NtuSplit): boolean {
  checkNtuSplit(benchmark, split);
  switch (split) {
    case 'xsub':
      return (benchmark === 'ntu60' ? NTU60_TRAIN_SUBJECTS : NTU120_TRAIN_SUBJECTS).includes(meta.subject);
    case 'xview':
      return NTU_TRAIN_CAMERAS.includes(meta.camera);
    case 'xset':
      return meta.setup % 2 === 0;
  }
}

/** Names from a missing-skeleton list: one per line, with or without `.skeleton`; blank lines and '#' comments ignored. */
export function parseNameList(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const t = line.replace(/#.*/, '').trim();
    if (t) out.add(t.replace(/\.skeleton$/, ''));
  }
  return out;
}
