import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { mapNodeError } from '@reachmap/schema';
import type { Deadline } from '../deadline.ts';
import { dialTarget, type ProbeNetwork } from '../network/probe-network.ts';
import type { DnsExchangeResult } from './exchange-result.ts';
import type { ResolverEndpoint } from './resolver-address.ts';
import { messageId } from './wire.ts';

/**
 * Sends one query datagram and waits for the first reply carrying our id. Injected replies (the
 * on-path poisoning technique) win this race by design: we record what the network answered first,
 * as a stub resolver would. The socket is connected so an ICMP port-unreachable surfaces as
 * `connection_refused`. No retransmission: one datagram, one budget.
 */
export function exchangeUdp(
  endpoint: ResolverEndpoint,
  query: Buffer,
  id: number,
  deadline: Deadline,
  network: ProbeNetwork,
): Promise<DnsExchangeResult> {
  return new Promise((resolve) => {
    if (deadline.signal.aborted) {
      resolve({ ok: false, failure: deadline.failure() });
      return;
    }
    const socket = dgram.createSocket(isIPv6(endpoint.ip) ? 'udp6' : 'udp4');
    const finish = (result: DnsExchangeResult) => {
      deadline.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('message');
      socket.close();
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, failure: deadline.failure() });
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('message', (message) => {
      if (messageId(message) === id) finish({ ok: true, message });
    });
    socket.once('error', (error) => finish({ ok: false, failure: mapNodeError(error) }));
    const dial = dialTarget(network, endpoint.ip, endpoint.port);
    const connect = () => socket.connect(dial.port, dial.ip, () => socket.send(query));
    if (network.localAddress === undefined) connect();
    else socket.bind({ address: network.localAddress, port: 0 }, connect);
  });
}
