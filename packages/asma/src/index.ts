export * from '@asma/kernels';
export type { Command } from './command.js';
export { UsageError } from './command.js';
