// @asma/compress whole: its main entry and its Node-only entry, for `import { compress } from 'asma'`.
export * from '@asma/compress';
export * from '@asma/compress/node';
