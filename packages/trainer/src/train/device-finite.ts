/**
 * The NaN guard for weights that live on a device: the backend's `allFinite` (one flag read back per
 * tensor) instead of a host scan. `fit` runs it every time it reads the pending losses, so a run that
 * went non-finite stops within a few steps, naming the first parameter or buffer found.
 */
import { type Module, Tensor } from '@asma/autodiff';
import { NonFiniteError } from './errors.js';

/** Throw NonFiniteError for the first parameter, then float buffer, holding NaN or Inf. */
export async function checkWeightsOnDevice(
  module: Module,
  epoch: number,
  step: number,
  checkpoint: string | null,
): Promise<void> {
  const named: [string, Tensor][] = [
    ...module.namedParameters().map(([n, p]): [string, Tensor] => [`parameter ${n}`, p]),
    ...module
      .namedBuffers()
      .filter((e): e is [string, Tensor] => e[1] instanceof Tensor)
      .map(([n, b]): [string, Tensor] => [`buffer ${n}`, b]),
  ];
  for (const [name, t] of named)
    if (!(await t.allFinite()))
      throw new NonFiniteError(
        epoch,
        step,
        name,
        'holds NaN or Inf (checked on the device, by this step at the latest)',
        checkpoint,
      );
}
