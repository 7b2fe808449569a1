import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { convertPku } from '@asma/skeleton/node';
import { intOption, parseOptions } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { reportConversion } from './data-ntu.js';

const help = `usage: asma data pku <skeleton-dir> <label-dir> --split-file <file> --out <dir> [options]

Convert PKU-MMD videos to frame50 clips, one per labelled action:
  <skeleton-dir>/<id>.txt   one line per frame, 150 values (2 bodies x 25 joints x xyz)
  <label-dir>/<id>.txt      lines 'label,start,end,confidence' (1-based class, frames start..end inclusive)
  --split-file              the published split file ('Training videos:' ids, then 'Validataion videos:' ids)
Writes the split folder <out>/<split>/ (what --data of pretrain, linear, eval, ... takes):
{train,val}_position.npy (N, 3, frames, 25, 2) float32, {train,val}_label.npy int64 (label - 1),
meta.json (numClasses, from --classes), manifest.json and convert-log.jsonl. Resumable; exits 1
when no clip could be converted.

options:
  --split-file <file>  split file (required)
  --out <dir>          output folder (required)
  --split <name>       split folder name (default: xsub for a file named *subject*, xview for
                       *view*; required otherwise)
  --classes <n>        number of classes: 51 for phase I (default), 41 for phase II
  --frames <n>         output frames (default 50)`;

export const dataPkuCommand: Command = {
  path: ['data', 'pku'],
  summary: 'convert PKU-MMD skeleton + label files to frame50 .npy',
  help,
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      ['split-file', 'out', 'split', 'classes', 'frames'],
      true,
    );
    if (positionals.length !== 2) throw new UsageError('expected <skeleton-dir> <label-dir>');
    if (!values['split-file']) throw new UsageError('--split-file <file> is required');
    if (!values.out) throw new UsageError('--out <dir> is required');
    for (const p of [...positionals, values['split-file']])
      if (!existsSync(p)) throw new UsageError(`no such file or folder: ${p}`);
    const split = values.split ?? splitNameOf(values['split-file']);
    if (!/^[A-Za-z0-9_.-]+$/.test(split) || split === '.' || split === '..')
      throw new UsageError(`--split must be a plain folder name, got '${split}'`);
    const summary = convertPku(positionals[0]!, positionals[1]!, values['split-file'], {
      out: join(values.out, split),
      split,
      numClasses: intOption('classes', values.classes, 51, 1),
      frames: intOption('frames', values.frames, 50, 1),
    });
    return reportConversion(summary);
  },
};

/** PKU-MMD's published split files are cross-subject.txt and cross-view.txt. */
function splitNameOf(file: string): string {
  const name = basename(file).toLowerCase();
  if (name.includes('subject')) return 'xsub';
  if (name.includes('view')) return 'xview';
  throw new UsageError(
    `--split <name> is required: cannot tell the split from the file name '${basename(file)}'`,
  );
}
