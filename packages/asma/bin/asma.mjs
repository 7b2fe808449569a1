#!/usr/bin/env node
// The `asma` command. It lives outside dist/ so that `pnpm install` on a fresh clone (before
// `pnpm build`) can link it; it runs the built CLI, or says to build first.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('asma: packages/asma/dist/cli.js is missing; run `pnpm build` first');
  process.exitCode = 1;
} else {
  const { main } = await import(cli.href);
  process.exitCode = await main(process.argv.slice(2));
}
