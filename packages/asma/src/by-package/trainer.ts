// @asma/trainer whole: its main entry and its Node-only entry, for `import { trainer } from 'asma'`.
export * from '@asma/trainer';
export * from '@asma/trainer/node';
