export * from './config-error.ts';
export * from './load-config.ts';
export * from './retired-variables.ts';
export * from './server-config.ts';
export * from './values.ts';
