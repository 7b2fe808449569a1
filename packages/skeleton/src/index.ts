export type { SkeletonLayout } from './layout.js';
export { jointDegree, NTU25 } from './layout.js';
