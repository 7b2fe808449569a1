import { ProgressBar } from '@asma/util/node';
import { expect, it } from 'vitest';

/** A stand-in for process.stderr: a TTY or not, recording what is written. */
function stream(isTTY: boolean): { out: string[]; s: NodeJS.WriteStream } {
  const out: string[] = [];
  const s = { isTTY, write: (t: string) => out.push(t) > 0 } as unknown as NodeJS.WriteStream;
  return { out, s };
}

it('off a terminal the bar is not drawn; line() prints one line with rate and ETA', () => {
  const { out, s } = stream(false);
  const bar = new ProgressBar(4, { label: 'train', unit: 'samples', stream: s, intervalMs: 0 });
  bar.tick(2, 'epoch 1/2 batch loss 0.5');
  expect(out).toEqual([]);
  bar.line('epoch 1/2 mean loss 0.6');
  expect(out).toHaveLength(1);
  expect(out[0]).toMatch(
    /^train epoch 1\/2 mean loss 0\.6 \[2\/4 samples, [\d.]+ samples\/s, ETA (\d\d:\d\d|--:--)\]\n$/,
  );
  bar.finish();
  expect(out).toHaveLength(1);
});

it('in a terminal line() prints above the bar and redraws it', () => {
  const { out, s } = stream(true);
  const bar = new ProgressBar(4, { label: 'train', unit: 'samples', stream: s, intervalMs: 0 });
  bar.tick(2, 'epoch 1/2 batch loss 0.5');
  expect(out.at(-1)).toContain('batch loss 0.5');
  bar.line('epoch 1/2 mean loss 0.6');
  expect(out.at(-2)).toMatch(/^\r.*mean loss 0\.6 .*\n$/);
  expect(out.at(-1)).toMatch(/^\rtrain \[#+-+\] 2\/4/);
  const silent = stream(false);
  new ProgressBar(4, { stream: silent.s, silent: true }).line('x');
  expect(silent.out).toEqual([]);
});
