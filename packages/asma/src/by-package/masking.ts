// @asma/masking whole: its main entry and its Node-only entry, for `import { masking } from 'asma'`.
export * from '@asma/masking';
export * from '@asma/masking/node';
