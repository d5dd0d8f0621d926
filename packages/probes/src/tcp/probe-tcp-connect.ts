import type { TcpConnect } from '@reachmap/schema';
import { createDeadline } from '../deadline.ts';
import { probeNetworkOf } from '../network/probe-network.ts';
import type { ProbeContext } from '../probe-options.ts';
import { openTcpConnection } from './open-connection.ts';

export interface TcpConnectTarget {
  ip: string;
  port: number;
}

/** One TCP handshake to `ip:port`, closed right after; `t - t0` is the connect time. */
export async function probeTcpConnect(target: TcpConnectTarget, context: ProbeContext): Promise<TcpConnect> {
  const t0 = context.clock.seconds();
  const result = await openTcpConnection(
    target.ip,
    target.port,
    createDeadline(context.timeoutMs, context.signal),
    probeNetworkOf(context),
  );
  const t = context.clock.seconds();
  if (result.ok) result.socket.destroy();
  return { ip: target.ip, port: target.port, failure: result.ok ? null : result.failure, t0, t };
}
