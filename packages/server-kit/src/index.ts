export * from './http/close-http-server.ts';
export * from './http/error-response.ts';
export * from './http/http-error.ts';
export * from './http/listen-http.ts';
export * from './metrics/metrics-endpoint.ts';
export * from './process/shutdown-on-signal.ts';
export * from './process/supervised-child-runtime.ts';
export * from './rate-limit/enforce-rate-limit.ts';
