export * from './access/api-keys.ts';
export type { AccessPolicy } from './access/authenticate.ts';
export * from './access/principal.ts';
export * from './admin/keys-command.ts';
export * from './api-config.ts';
export * from './app.ts';
export * from './start-api.ts';
export * from './start-from-config.ts';
export { WEBHOOK_RETRY_DELAYS_MS } from './webhooks/retry-schedule.ts';
