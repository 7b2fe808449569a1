import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '@asma/autodiff';
import { foldClassifier, foldedLogits, quantizeClassifier } from '@asma/compress';
import { loadAnyClassifier, saveQuantizedModel } from '@asma/compress/node';
import { accuracy, clipCount, requireLabels } from '@asma/trainer';
import {
  choiceOption,
  floatOption,
  intOption,
  parseOptions,
  requireExisting,
  requireOptions,
} from '../args.js';
import type { Command } from '../command.js';
import { checkFits } from '../encoders.js';
import { writeJson } from '../outputs.js';
import { loadSplit } from '../split.js';
import { requireWritableDir } from '../writable.js';

const help = `usage: asma quantize --model <student.asma> --data <dir> --out <dir> [options]

Post-training int8 quantisation of a classifier: BatchNorm folded into the convolutions, weights
per-output-channel symmetric int8, activation scales calibrated on the first training clips, int8 x
int8 -> int32 kernels for the 1x1, temporal and linear layers. Reports float and int8 val accuracy,
the largest logit difference and the file sizes.

Writes <out>/model-int8.asma and <out>/report.json.

options:
  --model <file>          float classifier (.asma or classifier .safetensors) (required)
  --data <dir>            split folder (required)
  --out <dir>             output folder (required)
  --calib-batches <n>     calibration batches (default 4)
  --batch <n>             clips per calibration batch (default 16)
  --calibration <m>       max (default) or percentile
  --percentile <x>        percentile of |x| for --calibration percentile (default 99.99)`;

export const quantizeCommand: Command = {
  path: ['quantize'],
  summary: 'post-training int8 quantisation of a classifier (float vs int8 accuracy, file sizes)',
  help,
  async run(args) {
    const { values } = parseOptions(args, [
      'model',
      'data',
      'out',
      'calib-batches',
      'batch',
      'calibration',
      'percentile',
    ]);
    requireOptions(values, ['model']);
    requireOptions(values, ['data', 'out'], '<dir>');
    requireWritableDir('out', values.out!);
    requireExisting(values, ['model']);
    const o = {
      batches: intOption('calib-batches', values['calib-batches'], 4, 1),
      batchSize: intOption('batch', values.batch, 16, 1),
      method: choiceOption('calibration', values.calibration, ['max', 'percentile'] as const, 'max'),
      percentile: floatOption('percentile', values.percentile, 99.99, {
        min: 0,
        max: 100,
        exclusiveMin: true,
      }),
    };
    const train = loadSplit('data', values.data!, 'train');
    const val = loadSplit('data', values.data!, 'val');
    const model = loadAnyClassifier(values.model!);
    for (const d of [train, val]) checkFits(model.encoder, values.model!, d);
    const q = quantizeClassifier(model, train, o);
    const labels = requireLabels(val);
    const n = clipCount(val);
    const fl = foldedLogits(foldClassifier(model), val, 'float');
    const il = foldedLogits(q, val, 'int8');
    let maxErr = 0;
    for (let i = 0; i < il.length; i++) maxErr = Math.max(maxErr, Math.abs(il[i]! - fl[i]!));
    const floatAcc = accuracy(new Tensor(fl, [n, q.classes]), labels);
    const intAcc = accuracy(new Tensor(il, [n, q.classes]), labels);
    const out = join(values.out!, 'model-int8.asma');
    const intBytes = saveQuantizedModel(q, out);
    const floatBytes = statSync(values.model!).size;
    writeJson(join(values.out!, 'report.json'), {
      protocol: 'quantize',
      model: values.model,
      options: o,
      floatAccuracy: floatAcc,
      int8Accuracy: intAcc,
      maxLogitError: maxErr,
      floatFileBytes: floatBytes,
      int8FileBytes: intBytes,
    });
    const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
    console.log(
      `quantize (int8, ${o.method} calibration on ${Math.min(clipCount(train), o.batches * o.batchSize)} clips)`,
    );
    console.log(
      `  val top-1: float ${pct(floatAcc)}, int8 ${pct(intAcc)} (gap ${(100 * (floatAcc - intAcc)).toFixed(1)} points); max logit error ${maxErr.toExponential(2)}`,
    );
    console.log(
      `  file: ${floatBytes} -> ${intBytes} bytes (${(floatBytes / intBytes).toFixed(2)}x smaller): ${out}`,
    );
    return 0;
  },
};
