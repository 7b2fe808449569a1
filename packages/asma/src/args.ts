import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from './command.js';

export interface ParsedOptions {
  values: Record<string, string | undefined>;
  /** The boolean `--name` switches named in `flags` (false when absent). */
  flags: Record<string, boolean>;
  positionals: string[];
}

/**
 * Parse string-valued `--name value` options and value-less `flags`; unknown flags and stray
 * positionals become UsageError.
 */
export function parseOptions(
  args: string[],
  names: readonly string[],
  allowPositionals = false,
  flags: readonly string[] = [],
): ParsedOptions {
  const options = Object.fromEntries([
    ...names.map((n) => [n, { type: 'string' as const }]),
    ...flags.map((n) => [n, { type: 'boolean' as const }]),
  ]);
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals }) as typeof parsed; // no multiple: true options
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // Keep `values` string-only so existing callers need no narrowing.
  const values: Record<string, string | undefined> = {};
  const switches: Record<string, boolean> = Object.fromEntries(flags.map((n) => [n, false]));
  for (const [k, v] of Object.entries(parsed.values)) {
    if (typeof v === 'boolean') switches[k] = v;
    else values[k] = v;
  }
  return { values, flags: switches, positionals: parsed.positionals };
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
  // 1e99 is an integer to JavaScript, but not a count: above 2^53 n + 1 === n, and no loop ends.
  if (!Number.isSafeInteger(n))
    throw new UsageError(`--${name} must be at most ${Number.MAX_SAFE_INTEGER}, got '${value}'`);
  return n;
}

/** A finite number option, or `fallback` when absent; `min`/`max` bound it (`exclusiveMin`: strictly above). */
export function floatOption(
  name: string,
  value: string | undefined,
  fallback: number,
  bounds: { min?: number; max?: number; exclusiveMin?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  const { min, max, exclusiveMin = false } = bounds;
  const low = min === undefined || (exclusiveMin ? n > min : n >= min);
  const high = max === undefined || n <= max;
  if (!Number.isFinite(n) || !low || !high) {
    const range = [
      min === undefined ? '' : `${exclusiveMin ? '>' : '>='} ${min}`,
      max === undefined ? '' : `<= ${max}`,
    ]
      .filter(Boolean)
      .join(' and ');
    throw new UsageError(`--${name} must be a number${range ? ` ${range}` : ''}, got '${value}'`);
  }
  return n;
}

/** One of `choices`, or `fallback` when absent. */
export function choiceOption<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got '${value}'`);
  return value as T;
}
