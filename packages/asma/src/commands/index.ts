import type { Command } from '../command.js';
import { alignCommand } from './align.js';
import { benchCommand } from './bench.js';
import { benchInferCommand } from './bench-infer.js';
import { dataNtuCommand } from './data-ntu.js';
import { dataPkuCommand } from './data-pku.js';
import { dataSynthCommand } from './data-synth.js';
import { demoCommand } from './demo.js';
import { distillCommand } from './distill.js';
import { embedCommand } from './embed.js';
import { evalCommand } from './eval.js';
import { exportCommand } from './export.js';
import { finetuneCommand } from './finetune.js';
import { linearCommand } from './linear.js';
import { masksCommand } from './masks.js';
import { pretrainCommand } from './pretrain.js';
import { pruneCommand } from './prune.js';
import { quantizeCommand } from './quantize.js';
import { reproduceCommand } from './reproduce.js';
import { semiCommand } from './semi.js';
import { viewCommand } from './view.js';

/** Every `asma` subcommand. Each lives in its own file in this folder; add new ones here. */
export const commands: Command[] = [
  demoCommand,
  reproduceCommand,
  dataSynthCommand,
  dataNtuCommand,
  dataPkuCommand,
  embedCommand,
  masksCommand,
  pretrainCommand,
  linearCommand,
  finetuneCommand,
  semiCommand,
  alignCommand,
  evalCommand,
  distillCommand,
  pruneCommand,
  quantizeCommand,
  exportCommand,
  benchInferCommand,
  benchCommand,
  viewCommand,
];
