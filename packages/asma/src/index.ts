// The `asma` package: every library, flat (`import { pretrain, readNpy, Tensor } from 'asma'`) and by
// package (`import { trainer } from 'asma'`), each with its Node-only entry (@asma/<name>/node) too: this
// package is for Node. Two names exist in both @asma/autodiff and @asma/trainer (ModuleList,
// ParameterList): the flat ones are autodiff's, trainer's are under `trainer`.
export * from '@asma/autodiff';
export { ModuleList, ParameterList } from '@asma/autodiff';
export * from '@asma/autodiff/node';
export * from '@asma/compress';
export * from '@asma/compress/node';
export * from '@asma/kernels';
export * as kernels from '@asma/kernels';
export * from '@asma/masking';
export * from '@asma/masking/node';
export * from '@asma/skeleton';
export * from '@asma/skeleton/node';
export * from '@asma/trainer';
export * from '@asma/trainer/node';
export * from '@asma/util';
export * from '@asma/util/node';
export * as autodiff from './by-package/autodiff.js';
export * as compress from './by-package/compress.js';
export * as masking from './by-package/masking.js';
export * as skeleton from './by-package/skeleton.js';
export * as trainer from './by-package/trainer.js';
export * as util from './by-package/util.js';
export * as viewer from './by-package/viewer.js';
export type { Command } from './command.js';
export { UsageError } from './command.js';
