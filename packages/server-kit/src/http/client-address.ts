import type { IncomingMessage } from 'node:http';

/**
 * The peer address of the TCP connection. Forwarded headers are ignored on purpose: without a
 * configured trusted proxy they are whatever the client wants them to be.
 */
export function clientAddress(c: { env?: { incoming?: Pick<IncomingMessage, 'socket'> } }): string {
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
