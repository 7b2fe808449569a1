/**
 * The NaN guard for weights that live on a device: the backend's `allFinite` (one flag read back per
 * tensor, all in flight together) instead of a host scan. `fit` runs it every time it reads the pending
 * losses, so a run that went non-finite stops within a few steps, naming the first parameter or buffer found.
 */
import { type Module, Tensor } from '@asma/autodiff';
import { NonFiniteError } from './errors.js';

/**
 * Starts the check now (one flag per parameter, then float buffer, all recorded at this point of the
 * run); the promise rejects with NonFiniteError naming the first one holding NaN or Inf.
 */
export function checkWeightsOnDevice(
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
  const flags = Promise.all(named.map(([, t]) => t.allFinite()));
  return flags.then((finite) => {
    const i = finite.indexOf(false);
    if (i >= 0)
      throw new NonFiniteError(
        epoch,
        step,
        named[i]![0],
        'holds NaN or Inf (checked on the device, by this step at the latest)',
        checkpoint,
      );
  });
}
