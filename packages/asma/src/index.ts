// The `asma` package: every library, flat (`import { pretrain, readNpy, Tensor } from 'asma'`) and by
// package (`import { trainer } from 'asma'`). Two names exist in both @asma/autodiff and
// @asma/trainer (ModuleList, ParameterList): the flat ones are autodiff's, trainer's are under `trainer`.
export * from '@asma/autodiff';
export * as autodiff from '@asma/autodiff';
export { ModuleList, ParameterList } from '@asma/autodiff';
export * from '@asma/compress';
export * as compress from '@asma/compress';
export * from '@asma/kernels';
export * as kernels from '@asma/kernels';
export * from '@asma/masking';
export * as masking from '@asma/masking';
export * from '@asma/skeleton';
export * as skeleton from '@asma/skeleton';
export * from '@asma/trainer';
export * as trainer from '@asma/trainer';
export * from '@asma/util';
export * as util from '@asma/util';
export * from '@asma/util/node';
export * as viewer from '@asma/viewer';
export type { Command } from './command.js';
export { UsageError } from './command.js';
