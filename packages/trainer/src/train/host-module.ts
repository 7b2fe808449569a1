/**
 * A module's parameters and float buffers brought back from a device to host arrays (awaited reads):
 * what the writers of model files and the host-side metrics need after a run on WebGPU. A later op on
 * a device backend moves them there again on first use.
 */
import { type Module, Tensor } from '@asma/autodiff';

export async function moveToHost(module: Module): Promise<void> {
  for (const t of module.parameters()) await t.toHost();
  for (const [, b] of module.namedBuffers()) if (b instanceof Tensor) await b.toHost();
}
