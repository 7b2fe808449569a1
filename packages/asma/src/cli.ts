#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
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
    'Run `asma <command> --help` (or `asma help <command>`) for details; `asma --version` prints the version.',
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

/** `asma data --help`: the commands under a group word, or null when `words` starts none. */
function groupHelp(words: string[]): string | null {
  const group = words.filter((w) => !w.startsWith('-'));
  if (group.length === 0) return null;
  const under = commands.filter(
    (c) => group.every((w, i) => c.path[i] === w) && c.path.length > group.length,
  );
  if (under.length === 0) return null;
  const width = Math.max(...under.map((c) => c.path.join(' ').length));
  return [
    `usage: asma ${group.join(' ')} <${under.map((c) => c.path[group.length]).join('|')}> [options]`,
    '',
    ...under.map((c) => `  asma ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    `Run \`asma ${under[0]!.path.join(' ')} --help\` for details.`,
  ].join('\n');
}

/** The asma package's version, from its package.json. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    // `asma help pretrain` is `asma pretrain --help`.
    if (argv[0] === 'help' && argv.length > 1) return main([...argv.slice(1), '--help']);
    console.log(overview());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
    console.log(`asma ${version()}`);
    return 0;
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
    const group = groupHelp(threads.rest);
    const asksHelp = threads.rest.includes('--help') || threads.rest.includes('-h');
    if (group && asksHelp) {
      console.log(group);
      return 0;
    }
    if (group) {
      console.error(`asma: '${threads.rest.join(' ')}' needs a subcommand\n\n${group}`);
      return 2;
    }
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
