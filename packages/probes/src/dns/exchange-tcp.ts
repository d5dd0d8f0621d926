import { mapNodeError } from '@reachmap/schema';
import type { Deadline } from '../deadline.ts';
import type { ProbeNetwork } from '../network/probe-network.ts';
import { openTcpConnection } from '../tcp/open-connection.ts';
import type { DnsExchangeResult } from './exchange-result.ts';
import type { ResolverEndpoint } from './resolver-address.ts';
import { frameDnsMessage, splitDnsMessages } from './tcp-framing.ts';

/** One query and its answer over DNS over TCP (length-prefixed messages, `tcp-framing.ts`). */
export async function exchangeTcp(
  endpoint: ResolverEndpoint,
  query: Buffer,
  deadline: Deadline,
  network: ProbeNetwork,
): Promise<DnsExchangeResult> {
  const connection = await openTcpConnection(endpoint.ip, endpoint.port, deadline, network);
  if (!connection.ok) return connection;
  const { socket } = connection;
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const finish = (result: DnsExchangeResult) => {
      deadline.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('data');
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ ok: false, failure: deadline.failure() });
    if (deadline.signal.aborted) {
      onAbort();
      return;
    }
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const [message] = splitDnsMessages(received).messages;
      if (message !== undefined) finish({ ok: true, message });
    });
    socket.once('end', () => finish({ ok: false, failure: 'eof_error' }));
    socket.once('error', (error) => finish({ ok: false, failure: mapNodeError(error) }));
    socket.write(frameDnsMessage(query));
  });
}
