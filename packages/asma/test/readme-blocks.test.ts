/**
 * Every ```ts block of every packages/<name>/README.md runs as written: the blocks are read from the
 * READMEs (not copied by hand), each written to a module here and imported. Markers on the line just
 * before a block's fence:
 *   <!-- readme-test: skip: <reason> -->            the block cannot run here (say why, e.g. browser-only)
 *   <!-- readme-test: continues the block above --> the block uses names from the one before it: run together
 * Blocks run with the repository root as working directory.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
// Inside packages/asma, which depends on every @asma package, so the blocks' imports resolve.
const work = join(here, '.readme-blocks');

export interface ReadmeBlock {
  /** README path relative to the repository root, and the line of the opening fence. */
  file: string;
  line: number;
  code: string;
  /** Why the block does not run, or null. */
  skip: string | null;
}

const MARKER = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;

/** The ```ts blocks of one README, continuation blocks joined to the block before them. */
export function readmeBlocks(text: string, file: string): ReadmeBlock[] {
  const lines = text.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i]!)) continue;
    const start = i;
    const marker = MARKER.exec(lines[start - 1]?.trim() ?? '')?.[1] ?? null;
    const end = lines.findIndex((l, j) => j > start && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${start + 1}: a \`\`\`ts block that is never closed`);
    const code = lines.slice(start + 1, end).join('\n');
    i = end;
    if (marker === null) {
      blocks.push({ file, line: start + 1, code, skip: null });
    } else if (marker.startsWith('skip:') && marker.slice(5).trim() !== '') {
      blocks.push({ file, line: start + 1, code, skip: marker.slice(5).trim() });
    } else if (marker === 'continues the block above') {
      const prev = blocks.at(-1);
      if (prev === undefined)
        throw new Error(`${file}:${start + 1}: 'continues the block above' but there is no block above`);
      prev.code += `\n${code}`;
    } else {
      throw new Error(
        `${file}:${start}: unknown readme-test marker '${marker}' (expected 'skip: <reason>' or 'continues the block above')`,
      );
    }
  }
  return blocks;
}

const readmes = readdirSync(join(root, 'packages'))
  .map((p) => join(root, 'packages', p, 'README.md'))
  .filter((f) => {
    try {
      readFileSync(f);
      return true;
    } catch {
      return false;
    }
  });
const all = readmes.flatMap((f) => readmeBlocks(readFileSync(f, 'utf8'), relative(root, f)));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('README ts blocks', () => {
  it('reads the markers, and rejects one without a reason or unknown', () => {
    const md = (marker: string) => `x\n${marker}\n\`\`\`ts\nconst a = 1;\n\`\`\`\n`;
    expect(readmeBlocks(md('<!-- readme-test: skip: needs a canvas -->'), 'R.md')[0]!.skip).toBe(
      'needs a canvas',
    );
    expect(() => readmeBlocks(md('<!-- readme-test: skip: -->'), 'R.md')).toThrow(
      /R.md:2: unknown readme-test marker/,
    );
    expect(() => readmeBlocks(md('<!-- readme-test: continues the block above -->'), 'R.md')).toThrow(
      /no block above/,
    );
    const two = readmeBlocks(
      '```ts\nconst a = 1;\n```\n<!-- readme-test: continues the block above -->\n```ts\nconst b = a;\n```\n',
      'R.md',
    );
    expect(two).toEqual([{ file: 'R.md', line: 1, code: 'const a = 1;\nconst b = a;', skip: null }]);
  });

  it('finds the blocks of every package that has examples', () => {
    const files = new Set(all.map((b) => b.file));
    for (const p of ['autodiff', 'compress', 'kernels', 'masking', 'skeleton', 'trainer', 'viewer'])
      expect(files, p).toContain(join('packages', p, 'README.md'));
  });

  for (const b of all) {
    const name = `${b.file}:${b.line}`;
    if (b.skip !== null) {
      it.skip(`${name} (${b.skip})`, () => {});
      continue;
    }
    it(name, async () => {
      mkdirSync(work, { recursive: true });
      const file = join(work, `${b.file.split(/[\\/]/)[1]}-${b.line}.ts`);
      writeFileSync(file, `${b.code}\nexport {};\n`);
      await import(pathToFileURL(file).href);
    });
  }
});
