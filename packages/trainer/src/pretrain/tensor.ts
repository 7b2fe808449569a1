import { Tensor } from '@asma/autodiff';
import type { SkeletonBatch } from '@asma/skeleton';

/** A skeleton batch as an autodiff tensor (shares the data). */
export function batchTensor(b: SkeletonBatch): Tensor {
  return new Tensor(b.data, [...b.shape]);
}
