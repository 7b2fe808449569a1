import { embed } from '@asma/trainer/node';
import { intOption, parseOptions, requireExisting, requireOptions } from '../args.js';
import { describeActive } from '../backend.js';
import type { Command } from '../command.js';
import { requireWritableFile } from '../writable.js';

const help = `usage: asma embed --checkpoint <enc.safetensors> --data <X.npy> --out <Z.npy> [options]

Encode every clip of an (N, 3, T, 25, M) .npy (float32 or float64, e.g. AimCLR/PSTL val_position.npy)
with a trained ST-GCN encoder in eval mode and write the (N, F) float32 features to <Z.npy>, F the
encoder's output width (256 for asma pretrain's default --features; printed when done)
(atomically: a failed run leaves no partial file). The checkpoint is a PyTorch-named state dict in
safetensors (written by asma, or by torch: data_bn.*, st_gcn_networks.*, edge_importance.*).

options:
  --checkpoint <file>  encoder weights (required)
  --data <file>        clips .npy (required)
  --out <file>         features .npy (required)
  --batch <n>          clips per forward pass (default 32)
  --prefix <p>         read the encoder from keys starting with p (e.g. 'encoder.')`;

export const embedCommand: Command = {
  path: ['embed'],
  summary: 'encode clips (.npy) into feature vectors with a trained ST-GCN encoder',
  help,
  onDevice: true,
  async run(args) {
    const { values } = parseOptions(args, ['checkpoint', 'data', 'out', 'batch', 'prefix']);
    requireOptions(values, ['checkpoint', 'data', 'out']);
    requireWritableFile('out', values.out!);
    requireExisting(values, ['checkpoint', 'data']);
    const batch = intOption('batch', values.batch, 32, 1);
    const r = await embed(values.checkpoint!, values.data!, values.out!, {
      batchSize: batch,
      prefix: values.prefix,
    });
    console.log(
      `${r.clips} clips -> ${values.out} (${r.clips}, ${r.features}) in ${r.seconds.toFixed(1)} s on ${describeActive()}`,
    );
    return 0;
  },
};
