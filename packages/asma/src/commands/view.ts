import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { loadAnyClassifier, MODEL_KIND_NAMES, modelFileKind, saveClassifier } from '@asma/compress/node';
import { NpyReader } from '@asma/skeleton/node';
import { checkFiniteClips } from '@asma/trainer';
import { CLASS_NAMES_KEY, loadClassifierBytes } from '@asma/viewer';
import { ensureSite, LOOPBACK_HOSTS, type RunningServer, serveSite } from '@asma/viewer/node';
import { intOption, parseOptions, requireExisting } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { readSplitMeta } from '../split.js';

const help = `usage: asma view [--port <n>] [--host 127.0.0.1] [--model <file>] [--data <X.npy> --index <i>]

Serve the skeleton viewer (packages/viewer) on a loopback address and print its URL; Ctrl-C stops
it. The page animates a clip in 3-D (drag to orbit, wheel to zoom, play / pause / scrub), draws
what ASMa's views A and B mask (joints in red, dropped frames over the motion-energy curve) and runs
the student in the browser: top-5 classes and latency per clip. Without options it shows the
synthetic sample clips and the bundled student; the built site (dist/site) also works as static files.

options:
  --port <n>       port (default 0: any free port)
  --host <addr>    ${LOOPBACK_HOSTS.join(', ')} (default 127.0.0.1; nothing else is bound)
  --model <file>   float classifier: .asma (asma distill / prune) or classifier .safetensors (asma
                   finetune / semi / distill); int8 models (asma quantize) run only in asma eval
  --data <file>    clips .npy (N, 3, T, 25, M) to show instead of the sample; class names come
                   from the meta.json beside it (asma data writes one)
  --index <i>      clip shown first (default 0)`;

/**
 * The classifier file the page loads (it reads classifier .safetensors only): `model` itself, or a
 * converted copy in `tmp` when it is a float .asma or when the data's meta.json names the classes.
 * Fails before serving if the page could not use it, naming the kind expected and found.
 */
function servedModel(model: string, classNames: string[] | undefined, tmp: () => string): string {
  const kind = modelFileKind(model);
  // An unknown file falls through to the page's own loader, whose message says what it is not.
  if (kind === 'asma-int8' || kind === 'asma-other')
    throw new UsageError(
      `--model: ${model} is ${MODEL_KIND_NAMES[kind]}; the viewer runs float classifiers (.asma from asma distill / prune, or classifier .safetensors)`,
    );
  let served = model;
  if (kind === 'asma-float' || (kind === 'safetensors' && classNames)) {
    let classifier: ReturnType<typeof loadAnyClassifier>;
    try {
      classifier = loadAnyClassifier(model);
    } catch (err) {
      throw new UsageError(`--model: ${(err as Error).message}`);
    }
    const names: Record<string, string> =
      classNames && classNames.length === classifier.fc.outFeatures
        ? { [CLASS_NAMES_KEY]: JSON.stringify(classNames) }
        : {};
    served = join(tmp(), `${basename(model)}.safetensors`); // the page names the file it runs
    saveClassifier(classifier, served, names);
  }
  try {
    loadClassifierBytes(readFileSync(served), model);
  } catch (err) {
    throw new UsageError(`--model: ${(err as Error).message}`);
  }
  return served;
}

/** Fail before serving if the page could not use the clips. */
function checkData(data: string | undefined, index: number): void {
  if (data) {
    let shape: number[];
    const r = (() => {
      try {
        return NpyReader.open(data);
      } catch (err) {
        throw new UsageError(`--data: ${(err as Error).message}`);
      }
    })();
    try {
      shape = r.shape;
      if (shape.length !== 5 || shape[1] !== 3 || shape[3] !== 25)
        throw new UsageError(`--data: ${data} has shape (${shape.join(', ')}), expected (N, 3, T, 25, M)`);
      // The page would draw a NaN joint nowhere and an Inf one off the canvas: refuse it here, naming it.
      for (let start = 0; start < shape[0]!; start += 64) {
        const count = Math.min(64, shape[0]! - start);
        checkFiniteClips(r.readRows(start, count, { asFloat32: true }) as Float32Array, shape, data, start);
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--data: ${(err as Error).message}`);
    } finally {
      r.close();
    }
    if (index >= shape[0]!) throw new UsageError(`--index ${index} is out of range 0..${shape[0]! - 1}`);
  }
}

/** Parse, check and start serving (the test entry point); `run` then waits for Ctrl-C. */
export async function startView(args: string[]): Promise<RunningServer> {
  const { values } = parseOptions(args, ['port', 'host', 'model', 'data', 'index']);
  const port = intOption('port', values.port, 0, 0);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const host = values.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.includes(host))
    throw new UsageError(`--host must be a loopback address (${LOOPBACK_HOSTS.join(', ')}), got '${host}'`);
  requireExisting(
    values,
    (['model', 'data'] as const).filter((k) => values[k] !== undefined),
  );
  if (values.index !== undefined && !values.data) throw new UsageError('--index needs --data');
  const index = intOption('index', values.index, 0, 0);
  checkData(values.data, index);
  let tmp: string | undefined;
  const classNames = values.data ? readSplitMeta(dirname(values.data)).classNames : undefined;
  const model =
    values.model &&
    servedModel(values.model, classNames, () => {
      tmp = mkdtempSync(join(tmpdir(), 'asma-view-'));
      return tmp;
    });
  const root = await ensureSite();
  const server = await serveSite({ root, host, port, model, data: values.data, index });
  if (!tmp) return server;
  const dir = tmp;
  return {
    ...server,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const viewCommand: Command = {
  path: ['view'],
  summary: 'serve the skeleton viewer: 3-D clip, ASMa masked views, student inference in the browser',
  help,
  async run(args) {
    const server = await startView(args);
    console.log(`asma viewer: ${server.url}  (Ctrl-C to stop)`);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
