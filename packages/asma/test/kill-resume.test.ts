// A real kill: `asma pretrain` is killed with SIGKILL while it trains, then resumed with --resume;
// the encoders must be byte-identical to an uninterrupted run's.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { tinyModel, tinySplit } from './tiny-split.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const { dir, split } = tinySplit('asma-kill-');
/** A run that has not ended by then is killed: the test fails instead of waiting on it. */
const RUN_LIMIT_MS = 50_000;
const run = (argv: string[]) =>
  spawnSync(process.execPath, argv, { stdio: 'ignore', timeout: RUN_LIMIT_MS, killSignal: 'SIGKILL' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const args = (out: string) => [
  cli,
  'pretrain',
  '--data',
  split,
  '--method',
  'pstl',
  '--out',
  out,
  '--epochs',
  '6',
  ...tinyModel,
];

/** Start a run and SIGKILL it as soon as its first epoch checkpoint exists. */
function killAfterFirstCheckpoint(out: string): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args(out), { stdio: 'ignore', timeout: RUN_LIMIT_MS });
    const timer = setInterval(() => {
      if (existsSync(join(out, 'checkpoint.safetensors'))) child.kill('SIGKILL');
    }, 5);
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearInterval(timer);
      resolve(signal);
    });
  });
}

it.runIf(existsSync(cli))(
  'a SIGKILLed pretraining resumes to exactly the uninterrupted weights',
  async () => {
    const full = join(dir, 'full');
    expect(run(args(full)).status).toBe(0);
    const killed = join(dir, 'killed');
    const signal = await killAfterFirstCheckpoint(killed);
    expect(existsSync(join(killed, 'encoder.safetensors'))).toBe(false); // it did not finish
    expect(signal).toBe('SIGKILL');
    expect(run([...args(killed), '--resume']).status).toBe(0);
    const bytes = (d: string) => readFileSync(join(d, 'encoder.safetensors'));
    expect(bytes(killed).equals(bytes(full))).toBe(true);
    const epochs = readFileSync(join(killed, 'log.jsonl'), 'utf8').trim().split('\n').length;
    expect(epochs).toBeGreaterThanOrEqual(6); // the killed run's epochs plus the resumed ones
  },
  60_000,
);
