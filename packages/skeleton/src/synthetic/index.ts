export type { BodyShape, LimbPose, Pose } from './body.js';
export { forwardKinematics, NOMINAL_BODY, restPose, sampleBody } from './body.js';
export type { ActionClass, MotionContext } from './classes.js';
export { ACTION_CLASSES } from './classes.js';
export type { SyntheticDataset, SyntheticOptions } from './generate.js';
export { generateSynthetic, resolveClasses } from './generate.js';
export type { SyntheticPart, SyntheticSplit } from './split.js';
export { isTrainClip, NTU_XSUB_TRAIN_SUBJECTS, splitIndices, splitSynthetic } from './split.js';
