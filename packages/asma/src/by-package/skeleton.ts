// @asma/skeleton whole: its main entry and its Node-only entry, for `import { skeleton } from 'asma'`.
export * from '@asma/skeleton';
export * from '@asma/skeleton/node';
