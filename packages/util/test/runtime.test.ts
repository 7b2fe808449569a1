import { afterEach, expect, it, vi } from 'vitest';
import { isNodeRuntime, loadNodeOnly, NodeOnlyError } from '../src/index.js';

afterEach(() => vi.unstubAllGlobals());

it('knows Node, and refuses Node-only helpers elsewhere with a message that says what to do', async () => {
  expect(isNodeRuntime()).toBe(true);
  await expect(loadNodeOnly('fit with a log', 'pass no log', async () => 42)).resolves.toBe(42);
  vi.stubGlobal('process', undefined); // as in a browser
  expect(isNodeRuntime()).toBe(false);
  let loaded = false;
  const attempt = loadNodeOnly('fit with a log', 'pass no log', async () => {
    loaded = true;
  });
  await expect(attempt).rejects.toThrow(NodeOnlyError);
  await expect(loadNodeOnly('fit with a log', 'pass no log', async () => 1)).rejects.toThrow(
    'fit with a log needs Node (files, the terminal); in a browser pass no log',
  );
  expect(loaded).toBe(false);
});
