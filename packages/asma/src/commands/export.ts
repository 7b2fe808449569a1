import { noGrad, Tensor } from '@asma/autodiff';
import { checkOnnx, exportOnnx } from '@asma/compress';
import { loadAnyClassifier, writeOnnx } from '@asma/compress/node';
import { clipCount, gatherClips } from '@asma/trainer';
import { intOption, parseOptions, requireExisting, requireOptions } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { checkFits } from '../encoders.js';
import { loadSplit } from '../split.js';

const help = `usage: asma export --model <student.asma> --out <model.onnx> (--data <dir> | --frames <n>) [options]

Export a float classifier to ONNX (opset 13; BatchNorm folded, graph aggregation as MatMul). Input
"clips" (N, C, T, V, M) with a dynamic batch N, output "logits" (N, classes). With --data, the export
is checked in onnxruntime-node (when installed) against this implementation on the first val clips.

options:
  --model <file>    float classifier (.asma or classifier .safetensors) (required)
  --out <file>      ONNX file to write (required)
  --data <dir>      split folder: frames and persons from its clips, and the onnxruntime check
  --frames <n>      frames T (without --data)
  --persons <n>     persons M (without --data; default 2)`;

export const exportCommand: Command = {
  path: ['export'],
  summary: 'export a classifier to ONNX and check it in onnxruntime-node',
  help,
  async run(args) {
    const { values } = parseOptions(args, ['model', 'out', 'data', 'frames', 'persons']);
    requireOptions(values, ['model', 'out']);
    requireExisting(values, ['model']);
    const model = loadAnyClassifier(values.model!);
    const val = values.data === undefined ? null : loadSplit('data', values.data, 'val');
    if (val === null && values.frames === undefined)
      throw new UsageError('--data <dir> or --frames <n> is required');
    if (val) checkFits(model.encoder, values.model!, val);
    const frames = val ? val.clips.shape[2] : intOption('frames', values.frames, 0, 1);
    const persons = val ? val.clips.shape[4] : intOption('persons', values.persons, 2, 1);
    const bytes = writeOnnx(model, values.out!, { frames, persons });
    console.log(
      `export: ${values.out} (${bytes} bytes, opset 13, clips (N, ${model.encoder.inChannels}, ${frames}, ${model.encoder.numJoints}, ${persons}))`,
    );
    if (val) {
      const { batch } = gatherClips(
        val,
        Array.from({ length: Math.min(8, clipCount(val)) }, (_, i) => i),
      );
      const want = noGrad(() => model.forward(new Tensor(batch.data, [...batch.shape]))).data;
      const r = await checkOnnx(exportOnnx(model, { frames, persons }), batch.data, batch.shape, want);
      if (!r.ran) console.log(`  onnxruntime check skipped: ${r.reason}`);
      else {
        console.log(
          `  onnxruntime-node on ${batch.shape[0]} val clips: max |difference| ${r.maxAbsError!.toExponential(2)}, relative ${r.relativeError!.toExponential(2)}`,
        );
        if (!(r.relativeError! < 1e-4))
          throw new Error(`onnxruntime-node disagrees with the model (relative error ${r.relativeError})`);
      }
    }
    return 0;
  },
};
