#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseBackend, withBackend } from './backend.js';
import { type Command, UsageError } from './command.js';
import { commands } from './commands/index.js';
import { parseThreads, withKernelThreads } from './threads.js';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length), 8);
  const lines = commands.map((c) => `  asma ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'usage: asma <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'Run `asma <command> --help` for details.',
    "Every command takes --threads N (or ASMA_THREADS=N): kernel threads, default the machine's cores;",
    'results are identical for any count.',
    'Commands that compute on a device take --backend cpu|webgpu|auto (or ASMA_BACKEND; default cpu):',
    'webgpu fails with the reason when no adapter answers, auto says which backend it took.',
  ].join('\n');
}

/** Longest command path that prefixes argv. */
function match(argv: string[]): { command: Command; rest: string[] } | null {
  let best: Command | null = null;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : null;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(overview());
    return argv.length === 0 ? 2 : 0;
  }
  let threads: ReturnType<typeof parseThreads>;
  let backend: ReturnType<typeof parseBackend>;
  try {
    backend = parseBackend(argv);
    threads = parseThreads(backend.rest);
  } catch (err) {
    console.error(`asma: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const found = match(threads.rest);
  if (!found) {
    console.error(`asma: unknown command '${argv.join(' ')}'\n\n${overview()}`);
    return 2;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    console.log(found.command.help);
    return 0;
  }
  if (backend.backend !== 'cpu' && found.command.onDevice !== true) {
    console.error(
      `asma ${found.command.path.join(' ')}: --backend ${backend.backend}: this command runs on the CPU only so far (the commands that run on WebGPU: ${commands
        .filter((c) => c.onDevice)
        .map((c) => c.path.join(' '))
        .join(', ')})`,
    );
    return 2;
  }
  try {
    return await withKernelThreads(threads, () => withBackend(backend, () => found.command.run(found.rest)));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`asma ${found.command.path.join(' ')}: ${err.message}\n(see --help)`);
      return 2;
    }
    console.error(
      `asma ${found.command.path.join(' ')}: ${err instanceof Error ? err.message : String(err)}`,
    );
    if (process.env.ASMA_DEBUG && err instanceof Error) console.error(err.stack);
    return 1;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
