import { expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { UsageError } from '../src/command.js';
import { parseThreads } from '../src/threads.js';

it('takes --threads anywhere on the line, then ASMA_THREADS, then the core count', () => {
  expect(parseThreads(['bench', '--threads', '3', '--json'], {})).toEqual({
    threads: 3,
    explicit: true,
    rest: ['bench', '--json'],
  });
  expect(parseThreads(['--threads=2', 'bench'], { ASMA_THREADS: '5' }).threads).toBe(2);
  expect(parseThreads(['bench'], { ASMA_THREADS: '5' })).toMatchObject({ threads: 5, explicit: true });
  const auto = parseThreads(['bench'], {});
  expect(auto.explicit).toBe(false);
  expect(auto.threads).toBeGreaterThanOrEqual(1);
});

it('rejects a bad count with a one-line usage error naming its source', async () => {
  expect(() => parseThreads(['bench', '--threads', '0'], {})).toThrow(UsageError);
  expect(() => parseThreads(['bench', '--threads'], {})).toThrow(/needs a value/);
  expect(() => parseThreads(['bench'], { ASMA_THREADS: 'many' })).toThrow(
    /ASMA_THREADS: expected a positive integer, got 'many'/,
  );
  expect(await main(['bench', '--threads', 'x'])).toBe(2);
});
