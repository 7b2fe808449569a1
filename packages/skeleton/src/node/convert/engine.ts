import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { JsonlLog, ProgressBar, writeFileAtomic } from '@asma/util/node';
import { SkeletonParseError } from '../../errors.js';
import { int64Array } from '../../npy.js';
import { NpyReader, NpyWriter, writeNpy } from '../npy-file.js';

export type Part = 'train' | 'val';

/** What one source file yields: rows for a part, and clips that could not be used. */
export interface SourceResult {
  rows: { name: string; label: number; part: Part; data: Float32Array }[];
  skipped: { name: string; reason: string }[];
}

export interface Skipped {
  name: string;
  reason: string;
}

export interface ConversionSummary {
  out: string;
  train: number;
  val: number;
  skipped: Skipped[];
  /** Shards found complete from an earlier, interrupted run. */
  resumedShards: number;
}

export interface EngineOptions {
  out: string;
  /** Source keys in processing order (the output order). */
  sources: string[];
  /** Turn one source into rows; a thrown SkeletonParseError or file-system error skips the source. */
  process(key: string): SourceResult;
  rowShape: readonly number[];
  /** Everything that determines the output; a partial run with another config is discarded. */
  config: unknown;
  /** Written as `<out>/meta.json` (the class count readers use, e.g. `{ numClasses: 60 }`). */
  meta?: Record<string, unknown>;
  /** Already-known skipped entries (e.g. from a missing-skeleton list), listed first in the manifest. */
  preSkipped?: Skipped[];
  shardSize?: number;
  /** Defaults to `<out>/convert-log.jsonl`; null disables. */
  logPath?: string | null;
  label?: string;
  silent?: boolean;
  /** Called after each source (tests use it to interrupt a run). */
  onSource?(done: number): void;
}

interface ShardInfo {
  train: { name: string; label: number }[];
  val: { name: string; label: number }[];
  skipped: Skipped[];
}

const PARTIAL = '.partial';

/**
 * Resumable streaming conversion. Sources are processed in fixed-size shards; each shard's rows
 * stream into `<out>/.partial/shard-N.{train,val}.npy` (NpyWriter: temporary file renamed on close)
 * and its `shard-N.json` is written last, atomically, marking it complete. A re-run with the same
 * config skips complete shards, then all runs merge the shards in order into
 * `<out>/{train,val}_position.npy`, `{train,val}_label.npy` (int64), `manifest.json` and
 * `meta.json` (opts.meta), and delete
 * `.partial`. Output bytes depend only on the sources and config, so a resumed run equals an
 * uninterrupted one.
 */
export function runConversion(opts: EngineOptions): ConversionSummary {
  const { out, sources } = opts;
  const shardSize = opts.shardSize ?? 256;
  const partial = join(out, PARTIAL);
  mkdirSync(partial, { recursive: true });
  const log = new JsonlLog(opts.logPath === undefined ? join(out, 'convert-log.jsonl') : opts.logPath);
  const configText = JSON.stringify({ config: opts.config, sources, shardSize });
  const configPath = join(partial, 'config.json');
  if (existsSync(configPath) && readFileSync(configPath, 'utf8') !== configText) {
    log.write({ event: 'discard-partial', reason: 'config or source list changed' });
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
  }
  if (!existsSync(configPath)) writeFileAtomic(configPath, configText);
  removeTemporaries(partial);
  removeTemporaries(out);

  const shards = Math.ceil(sources.length / shardSize);
  const bar = new ProgressBar(sources.length, {
    label: opts.label ?? 'convert',
    unit: 'files',
    silent: opts.silent,
  });
  log.write({ event: 'start', sources: sources.length, shards });
  let resumedShards = 0;
  let done = 0;
  for (let s = 0; s < shards; s++) {
    const keys = sources.slice(s * shardSize, (s + 1) * shardSize);
    const infoPath = join(partial, `shard-${s}.json`);
    if (existsSync(infoPath)) {
      resumedShards++;
      done += keys.length;
      bar.tick(keys.length);
      continue;
    }
    const info: ShardInfo = { train: [], val: [], skipped: [] };
    const writers: Partial<Record<Part, NpyWriter>> = {};
    try {
      for (const key of keys) {
        let result: SourceResult;
        try {
          result = opts.process(key);
        } catch (err) {
          if (!isSkippable(err)) throw err;
          result = { rows: [], skipped: [{ name: key, reason: (err as Error).message }] };
        }
        for (const row of result.rows) {
          writers[row.part] ??= new NpyWriter(
            join(partial, `shard-${s}.${row.part}.npy`),
            '<f4',
            opts.rowShape,
          );
          writers[row.part]!.append(row.data);
          info[row.part].push({ name: row.name, label: row.label });
        }
        for (const sk of result.skipped) log.write({ event: 'skip', ...sk });
        info.skipped.push(...result.skipped);
        done++;
        bar.tick(1, `${info.skipped.length} skipped in shard`);
        opts.onSource?.(done);
      }
      for (const w of Object.values(writers)) w.close();
    } catch (err) {
      for (const w of Object.values(writers)) w.abort();
      throw err;
    }
    writeFileAtomic(infoPath, JSON.stringify(info));
    log.write({
      event: 'shard',
      shard: s,
      train: info.train.length,
      val: info.val.length,
      skipped: info.skipped.length,
    });
  }
  bar.finish();
  const summary = merge(out, partial, shards, opts, resumedShards);
  log.write({
    event: 'done',
    train: summary.train,
    val: summary.val,
    skipped: summary.skipped.length,
    filesPerSecond: bar.rate(),
  });
  rmSync(partial, { recursive: true, force: true });
  return summary;
}

function merge(
  out: string,
  partial: string,
  shards: number,
  opts: EngineOptions,
  resumedShards: number,
): ConversionSummary {
  const infos: ShardInfo[] = [];
  for (let s = 0; s < shards; s++)
    infos.push(JSON.parse(readFileSync(join(partial, `shard-${s}.json`), 'utf8')) as ShardInfo);
  if (infos.every((i) => i.train.length === 0 && i.val.length === 0)) {
    // 0-row .npy files would look like a finished conversion: nothing is written, and the run fails.
    const skipped = [...(opts.preSkipped ?? []), ...infos.flatMap((i) => i.skipped)];
    const first = skipped[0];
    throw new Error(
      `${opts.label}: no clip converted (${opts.sources.length} source file(s), ${skipped.length} skipped` +
        (first ? `; first: ${first.name}: ${first.reason}` : '') +
        `); nothing written to ${out}`,
    );
  }
  const counts = { train: 0, val: 0 };
  for (const part of ['train', 'val'] as const) {
    const writer = new NpyWriter(join(out, `${part}_position.npy`), '<f4', opts.rowShape);
    try {
      infos.forEach((info, s) => {
        if (info[part].length === 0) return;
        const reader = NpyReader.open(join(partial, `shard-${s}.${part}.npy`));
        try {
          for (let r = 0; r < reader.rows; r += 64)
            writer.append(reader.readRows(r, Math.min(64, reader.rows - r)));
        } finally {
          reader.close();
        }
      });
      writer.close();
    } catch (err) {
      writer.abort();
      throw err;
    }
    const labels = infos.flatMap((i) => i[part].map((r) => r.label));
    writeNpy(join(out, `${part}_label.npy`), int64Array(labels), [labels.length]);
    counts[part] = labels.length;
  }
  const skipped = [...(opts.preSkipped ?? []), ...infos.flatMap((i) => i.skipped)];
  const manifest = {
    config: opts.config,
    rowShape: opts.rowShape,
    train: { count: counts.train, names: infos.flatMap((i) => i.train.map((r) => r.name)) },
    val: { count: counts.val, names: infos.flatMap((i) => i.val.map((r) => r.name)) },
    skipped,
  };
  writeFileAtomic(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  if (opts.meta) writeFileAtomic(join(out, 'meta.json'), `${JSON.stringify(opts.meta, null, 1)}\n`);
  return { out, train: counts.train, val: counts.val, skipped, resumedShards };
}

function isSkippable(err: unknown): boolean {
  return (
    err instanceof SkeletonParseError ||
    (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string')
  );
}

// NpyWriter / writeFileAtomic temporaries (".<name>.<pid>.<time>.tmp") left by a killed run.
function removeTemporaries(dir: string): void {
  for (const f of readdirSync(dir))
    if (f.startsWith('.') && f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
}
