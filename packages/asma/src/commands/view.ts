import { readFileSync } from 'node:fs';
import { NpyReader } from '@asma/skeleton';
import { checkFiniteClips } from '@asma/trainer';
import { ensureSite, LOOPBACK_HOSTS, loadClassifierBytes, type RunningServer, serveSite } from '@asma/viewer';
import { intOption, parseOptions, requireExisting } from '../args.js';
import { type Command, UsageError } from '../command.js';

const help = `usage: asma view [--port <n>] [--host 127.0.0.1] [--model <file>] [--data <X.npy> --index <i>]

Serve the skeleton viewer (packages/viewer) on a loopback address and print its URL; Ctrl-C stops
it. The page animates a clip in 3-D (drag to orbit, wheel to zoom, play / pause / scrub), draws
what ASMa's views A and B mask (joints in red, dropped frames over the motion-energy curve) and runs
the student in the browser: top-5 classes and latency per clip. Without options it shows the
synthetic sample clips and the bundled student; the built site (dist/site) also works as static files.

options:
  --port <n>       port (default 0: any free port)
  --host <addr>    ${LOOPBACK_HOSTS.join(', ')} (default 127.0.0.1; nothing else is bound)
  --model <file>   classifier .safetensors with "asma.stgcn" metadata (e.g. asma distill's student.safetensors)
  --data <file>    clips .npy (N, 3, T, 25, M) to show instead of the sample
  --index <i>      clip shown first (default 0)`;

/** Fail before serving if the page could not use the files. */
function checkFiles(model: string | undefined, data: string | undefined, index: number): void {
  if (model) {
    try {
      loadClassifierBytes(readFileSync(model), model);
    } catch (err) {
      throw new UsageError(`--model: ${(err as Error).message}`);
    }
  }
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
  checkFiles(values.model, values.data, index);
  const root = await ensureSite();
  return serveSite({ root, host, port, model: values.model, data: values.data, index });
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
