/**
 * A watchdog for the test processes (a vitest setup file). vitest's test timeout cannot fire while a
 * test blocks its thread (a synchronous loop, Atomics.wait, spawnSync), so one such test would stall
 * the whole run until CI's limit. Here a worker thread watches the test process from the side: when
 * one test, hook or file phase has run longer than ASMA_TEST_WATCHDOG_S seconds (default 300; the
 * longest test asks for 90), it names the file and the test on stderr and in ASMA_TEST_WATCHDOG_LOG
 * (default <tmpdir>/asma-test-watchdog.log), then kills the process: vitest reports that file as
 * failed ("Worker exited unexpectedly") and goes on with the others.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';

const limitS = Number(process.env.ASMA_TEST_WATCHDOG_S ?? 300);
const logPath = process.env.ASMA_TEST_WATCHDOG_LOG ?? join(tmpdir(), 'asma-test-watchdog.log');

interface Watched {
  /** [0]: seconds (since `origin`) at which the current phase began; -1 while the process is idle. */
  since: Int32Array;
  /** The current phase's label: a UTF-8 length word, then the bytes. */
  label: SharedArrayBuffer;
  origin: number;
  watching: boolean;
}
// One per process, should a test process ever run a second file: its phases then reach the same watcher.
const slot = globalThis as { __asmaTestWatchdog?: Watched };
slot.__asmaTestWatchdog ??= {
  since: new Int32Array(new SharedArrayBuffer(4)),
  label: new SharedArrayBuffer(4 + 2048),
  origin: Date.now(),
  watching: false,
};
const state = slot.__asmaTestWatchdog;
const { since, label, origin } = state;

function enter(phase: string): void {
  const bytes = new TextEncoder().encode(phase).subarray(0, label.byteLength - 4);
  new Uint8Array(label, 4).set(bytes);
  Atomics.store(new Int32Array(label, 0, 1), 0, bytes.length);
  Atomics.store(since, 0, Math.floor((Date.now() - origin) / 1000));
}

const watcher = `
const { workerData } = require('node:worker_threads');
const { appendFileSync, writeSync } = require('node:fs');
const { since, label, origin, limitS, logPath, pid } = workerData;
const started = new Int32Array(since);
setInterval(() => {
  const at = Atomics.load(started, 0);
  const ran = Math.floor((Date.now() - origin) / 1000) - at;
  if (at < 0 || ran <= limitS) return;
  const n = Atomics.load(new Int32Array(label, 0, 1), 0);
  const phase = new TextDecoder().decode(new Uint8Array(label, 4, n).slice());
  const line = '[test watchdog] ' + phase + ': still running after ' + ran + ' s (limit ' + limitS +
    ' s, ASMA_TEST_WATCHDOG_S): the test blocks its thread; killing test process ' + pid + '\\n';
  try { writeSync(2, line); } catch {}
  try { appendFileSync(logPath, line); } catch {}
  process.kill(pid, 'SIGKILL');
}, 1000);
`;

/** 'describe > it', outermost first. */
function testName(task: { name: string; suite?: { name: string; suite?: unknown } }): string {
  const names = [task.name];
  for (let s = task.suite; s?.name; s = s.suite as typeof s) names.unshift(s.name);
  return names.join(' > ');
}

if (limitS > 0) {
  const file = expect.getState().testPath ?? 'an unknown test file';
  enter(`${file} (loading)`);
  if (!state.watching) {
    state.watching = true;
    new Worker(watcher, {
      eval: true,
      workerData: { since: since.buffer, label, origin, limitS, logPath, pid: process.pid },
    }).unref();
  }
  // Hooks from a setup file run before the file's own "before" hooks and after its "after" hooks.
  beforeAll(() => enter(`${file} (beforeAll hooks)`));
  beforeEach((ctx) => enter(`${file} > ${testName(ctx.task)}`));
  afterEach(() => enter(`${file} (afterEach or afterAll hooks, or between tests)`));
  afterAll(() => Atomics.store(since, 0, -1)); // done: vitest's own teardown is not watched
}
