// @asma/autodiff whole: its main entry and its Node-only entry, for `import { autodiff } from 'asma'`.
export * from '@asma/autodiff';
export * from '@asma/autodiff/node';
