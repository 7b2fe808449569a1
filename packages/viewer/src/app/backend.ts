/**
 * Where the page's inference runs: WebGPU when the browser offers an adapter (navigator.gpu), the CPU
 * kernels otherwise; the page says which, and why not WebGPU. Selected once, before the model loads.
 */
import { setBackend } from '@asma/kernels';
import { requestWebGpuBackend } from '@asma/webgpu';

export interface PageBackend {
  kind: 'webgpu' | 'cpu';
  /** What the page shows, e.g. "WebGPU (google, swiftshader)" or "CPU (no WebGPU: ...)". */
  label: string;
}

export async function chooseBackend(): Promise<PageBackend> {
  try {
    const gpu = await requestWebGpuBackend();
    setBackend(gpu);
    const a = gpu.adapter;
    return { kind: 'webgpu', label: `WebGPU (${[a.vendor, a.architecture].filter((s) => s).join(', ')})` };
  } catch (err) {
    return { kind: 'cpu', label: `CPU (no WebGPU: ${(err as Error).message})` };
  }
}
