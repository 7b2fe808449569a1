import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from './command.js';

export interface ParsedOptions {
  values: Record<string, string | undefined>;
  positionals: string[];
}

/** Parse string-valued `--name value` options; unknown flags and stray positionals become UsageError. */
export function parseOptions(
  args: string[],
  names: readonly string[],
  allowPositionals = false,
): ParsedOptions {
  const options = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
  try {
    return parseArgs({ args, options, strict: true, allowPositionals }) as ParsedOptions;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Throw unless every named option was given. */
export function requireOptions(
  values: ParsedOptions['values'],
  names: readonly string[],
  what = '<file>',
): void {
  for (const name of names) if (!values[name]) throw new UsageError(`--${name} ${what} is required`);
}

/** Throw unless every named option points at an existing file. */
export function requireExisting(values: ParsedOptions['values'], names: readonly string[]): void {
  for (const name of names)
    if (!existsSync(values[name]!)) throw new UsageError(`--${name}: no such file '${values[name]}'`);
}

/** An integer option of at least `min`, or `fallback` when absent. */
export function intOption(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}
