/**
 * The compute backend for every command: `--backend cpu|webgpu|auto` (anywhere on the command line)
 * or ASMA_BACKEND, default cpu. webgpu never falls back silently: without an adapter it fails with the
 * reason; auto picks WebGPU when an adapter answers and says which it took on the first line.
 */
import { getBackend, type KernelBackend, setBackend } from '@asma/kernels';
import { UsageError } from './command.js';

export const BACKENDS = ['cpu', 'webgpu', 'auto'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendRequest {
  backend: BackendName;
  /** argv without the --backend option. */
  rest: string[];
}

export function parseBackend(argv: string[], env: NodeJS.ProcessEnv = process.env): BackendRequest {
  const rest: string[] = [];
  let text: string | undefined;
  let source = '--backend';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--backend') {
      text = argv[++i];
      if (text === undefined) throw new UsageError(`--backend needs a value (${BACKENDS.join(', ')})`);
    } else if (a.startsWith('--backend=')) text = a.slice('--backend='.length);
    else rest.push(a);
  }
  if (text === undefined && env.ASMA_BACKEND !== undefined && env.ASMA_BACKEND !== '') {
    text = env.ASMA_BACKEND;
    source = 'ASMA_BACKEND';
  }
  if (text === undefined) return { backend: 'cpu', rest };
  if (!(BACKENDS as readonly string[]).includes(text))
    throw new UsageError(`${source}: expected one of ${BACKENDS.join(', ')}, got '${text}'`);
  return { backend: text as BackendName, rest };
}

/** What a device backend adds to the table (the WebGPU backend has these). */
interface DeviceBackend extends KernelBackend<unknown> {
  readonly adapter: { vendor: string; architecture: string; description?: string };
  destroy(): void;
}

/** The WebGPU backend, or the reason there is none (no adapter, or Dawn did not load and why). */
export async function openWebGpu(): Promise<DeviceBackend> {
  // Loaded on demand: a CPU run never touches WebGPU (nor Dawn's native binary).
  const { requestWebGpuBackend } = await import('@asma/webgpu');
  return requestWebGpuBackend();
}

/** A one-line description of the active backend, for logs and reports. */
export function describeBackend(be: {
  name: string;
  adapter?: { vendor: string; architecture: string };
}): string {
  return be.adapter === undefined ? be.name : `${be.name} (${be.adapter.vendor}, ${be.adapter.architecture})`;
}

/** describeBackend of the active backend. */
export function describeActive(): string {
  return describeBackend(getBackend());
}

/** The active backend and its adapter (null on the CPU), as reports record them. */
export function backendInfo(): {
  backend: string;
  adapter: { vendor: string; architecture: string; description?: string } | null;
} {
  const be = getBackend();
  return { backend: be.name, adapter: be.adapter ?? null };
}

/**
 * Run fn on the requested backend. cpu runs it as it is (the kernel threads are chosen separately);
 * webgpu and auto open the device first and close it afterwards.
 */
export async function withBackend<T>(req: BackendRequest, fn: () => Promise<T>): Promise<T> {
  if (req.backend === 'cpu') return fn();
  let gpu: DeviceBackend;
  try {
    gpu = await openWebGpu();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (req.backend === 'webgpu') throw new UsageError(`--backend webgpu: ${why}`);
    console.error(`asma: backend cpu (auto: no WebGPU: ${why})`);
    return fn();
  }
  console.error(`asma: backend ${describeBackend(gpu)}`);
  const prev = setBackend(gpu);
  try {
    return await fn();
  } finally {
    setBackend(prev);
    gpu.destroy();
  }
}
