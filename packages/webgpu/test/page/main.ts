/** The test page: brings up WebGPU and exposes the checks to the vitest side (webgpu.browser.test.ts). */
import { requestWebGpuBackend } from '@asma/webgpu';
import { type CheckReport, runChecks } from './checks.js';
import { type PortabilityReport, runPortability } from './portability.js';
import { runTraining, type TRAINING_RUNS, type TrainingReport } from './training.js';

declare global {
  interface Window {
    __webgpuChecks?: (seed: number) => Promise<CheckReport | { unavailable: string }>;
    __webgpuTraining?: (
      only: (keyof typeof TRAINING_RUNS)[],
    ) => Promise<TrainingReport[] | { unavailable: string } | { error: string }>;
    __webgpuPortability?: () => Promise<PortabilityReport[] | { unavailable: string } | { error: string }>;
  }
}

window.__webgpuChecks = async (seed) => {
  let gpu: Awaited<ReturnType<typeof requestWebGpuBackend>>;
  try {
    gpu = await requestWebGpuBackend();
  } catch (e) {
    return { unavailable: (e as Error).message };
  }
  try {
    return await runChecks(gpu, seed);
  } finally {
    gpu.destroy();
  }
};

window.__webgpuTraining = async (only) => {
  let gpu: Awaited<ReturnType<typeof requestWebGpuBackend>>;
  try {
    gpu = await requestWebGpuBackend();
  } catch (e) {
    return { unavailable: (e as Error).message };
  }
  try {
    return await runTraining(gpu, only);
  } catch (e) {
    return { error: `${(e as Error).message}\n${(e as Error).stack ?? ''}` };
  } finally {
    gpu.destroy();
  }
};

window.__webgpuPortability = async () => {
  let gpu: Awaited<ReturnType<typeof requestWebGpuBackend>>;
  try {
    gpu = await requestWebGpuBackend();
  } catch (e) {
    return { unavailable: (e as Error).message };
  }
  try {
    return await runPortability(gpu);
  } catch (e) {
    return { error: `${(e as Error).message}\n${(e as Error).stack ?? ''}` };
  } finally {
    gpu.destroy();
  }
};
