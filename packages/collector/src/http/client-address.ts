import type { Context } from 'hono';
import type { CollectorEnv } from './collector-env.ts';

/**
 * The peer address of the TCP connection. Forwarded headers are ignored on purpose: without a
 * configured trusted proxy they are whatever the client wants them to be.
 */
export function clientAddress(c: Context<CollectorEnv>): string {
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
