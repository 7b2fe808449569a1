// @asma/util whole: its main entry and its Node-only entry, for `import { util } from 'asma'`.
export * from '@asma/util';
export * from '@asma/util/node';
