import type { Command } from '../command.js';
import { dataNtuCommand } from './data-ntu.js';
import { dataPkuCommand } from './data-pku.js';
import { dataSynthCommand } from './data-synth.js';
import { embedCommand } from './embed.js';
import { masksCommand } from './masks.js';

/** Every `asma` subcommand. Each lives in its own file in this folder; add new ones here. */
export const commands: Command[] = [
  dataSynthCommand,
  dataNtuCommand,
  dataPkuCommand,
  embedCommand,
  masksCommand,
];
