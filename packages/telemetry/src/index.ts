export * from './log-policy.ts';
export * from './logger.ts';
export * from './metrics/exposition.ts';
export * from './metrics/metrics-registry.ts';
export * from './metrics/queue-metrics.ts';
export * from './sdk.ts';
export * from './tracing.ts';
