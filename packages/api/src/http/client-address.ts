import type { Context } from 'hono';
import type { ApiEnv } from './api-env.ts';

/**
 * The peer address of the TCP connection. Forwarded headers are ignored on purpose: without a
 * configured trusted proxy they are whatever the client wants them to be.
 */
export function clientAddress(c: Context<ApiEnv>): string {
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
