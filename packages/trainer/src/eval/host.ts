/** Tensors brought to the host, for the metrics and writers that read values synchronously. */
import { Tensor } from '@asma/autodiff';
import { isDeviceArray } from '@asma/kernels';

/** `t` itself when its values are on the host; else a host copy, read back (one readback). */
export async function onHost(t: Tensor): Promise<Tensor> {
  return isDeviceArray(t.storage) ? new Tensor(await t.read(), t.shape) : t;
}
