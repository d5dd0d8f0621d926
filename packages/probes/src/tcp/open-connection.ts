import net from 'node:net';
import { type Failure, mapNodeError } from '@reachmap/schema';
import type { Deadline } from '../deadline.ts';
import { dialTarget, type ProbeNetwork } from '../network/probe-network.ts';

export type ConnectionResult = { ok: true; socket: net.Socket } | { ok: false; failure: Failure };

/**
 * Opens a TCP connection to one `ip:port` (no name resolution: the caller chose the address).
 * Resolves with the socket or the failure; never rejects.
 */
export function openTcpConnection(
  ip: string,
  port: number,
  deadline: Deadline,
  network: ProbeNetwork,
): Promise<ConnectionResult> {
  return new Promise((resolve) => {
    if (deadline.signal.aborted) {
      resolve({ ok: false, failure: deadline.failure() });
      return;
    }
    const dial = dialTarget(network, ip, port);
    const socket = net.connect({
      host: dial.ip,
      port: dial.port,
      noDelay: true,
      ...(network.localAddress === undefined ? {} : { localAddress: network.localAddress }),
    });
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
