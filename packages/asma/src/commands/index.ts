import type { Command } from '../command.js';
import { dataSynthCommand } from './data-synth.js';
import { embedCommand } from './embed.js';

/** Every `asma` subcommand. Each lives in its own file in this folder; add new ones here. */
export const commands: Command[] = [dataSynthCommand, embedCommand];
