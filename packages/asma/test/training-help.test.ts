import { expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { commands } from '../src/commands/index.js';

const mine = ['pretrain', 'linear', 'finetune', 'semi', 'align', 'eval'];

it('every training command is registered with a full --help', async () => {
  for (const name of mine) {
    const c = commands.find((x) => x.path.join(' ') === name);
    expect(c, name).toBeDefined();
    expect(c!.help.startsWith(`usage: asma ${name} `), name).toBe(true);
    expect(c!.help).toContain('options:');
    expect(await main([name, '--help'])).toBe(0);
  }
  expect(commands.find((c) => c.path[0] === 'linear')!.help).toMatch(/Transfer/);
});
