// @asma/viewer whole: its main entry and its Node-only entry, for `import { viewer } from 'asma'`.
export * from '@asma/viewer';
export * from '@asma/viewer/node';
