import net from 'node:net';
import { type Failure, mapNodeError } from '@reachmap/schema';
import type { Deadline } from '../deadline.ts';

export type ConnectionResult = { ok: true; socket: net.Socket } | { ok: false; failure: Failure };

/**
 * Opens a TCP connection to one `ip:port` (no name resolution: the caller chose the address).
 * Resolves with the socket or the failure; never rejects.
 */
export function openTcpConnection(ip: string, port: number, deadline: Deadline): Promise<ConnectionResult> {
  return new Promise((resolve) => {
    if (deadline.signal.aborted) {
      resolve({ ok: false, failure: deadline.failure() });
      return;
    }
    const socket = net.connect({ host: ip, port, noDelay: true });
    const onAbort = () => {
      socket.destroy();
      settle({ ok: false, failure: deadline.failure() });
    };
    const settle = (result: ConnectionResult) => {
      deadline.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('connect');
      socket.removeAllListeners('error');
      resolve(result);
    };
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => settle({ ok: true, socket }));
    socket.once('error', (error) => {
      socket.destroy();
      settle({ ok: false, failure: mapNodeError(error) });
    });
  });
}
