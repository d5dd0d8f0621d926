export * from './logger.ts';
export * from './sdk.ts';
export * from './tracing.ts';
