import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { type Failure, mapNodeError, type QuicProbe } from '@reachmap/schema';
import { createDeadline } from '../deadline.ts';
import { dialTarget, probeNetworkOf } from '../network/probe-network.ts';
import type { ProbeContext } from '../probe-options.ts';
import { classifyQuicResponse, type QuicResponseKind } from './classify-response.ts';
import { buildQuicInitial } from './initial-packet.ts';

export interface QuicTarget {
  ip: string;
  /** Default 443. */
  port?: number;
  sni: string;
  /** Default ['h3']. */
  alpn?: string[];
}

type QuicOutcome = { response: QuicResponseKind | null; failure: Failure | null };

/**
 * When a client with no RTT sample resends its Initial: the first probe timeout is
 * kInitialRtt 333 ms + 4 × 166.5 ms ≈ 1 s, doubling after each (RFC 9002 §6.2.2, §6.2.1). A real
 * client does the same, so one datagram lost on a lossy line is not read as QUIC blocking, while a
 * drop of UDP 443 still meets every copy.
 */
const INITIAL_PTO_MS = 1_000;

/**
 * QUIC reachability: one real v1 Initial with a ClientHello for the SNI, sent again on each probe
 * timeout (1 s, then 2 s more, ...), until any reply or the budget's end. Any reply (even Version
 * Negotiation) means UDP to the server works and is recorded with no failure; silence until the
 * timeout is `generic_timeout_error` (QUIC blocking drops the Initial, docs/techniques.md). No
 * handshake is attempted.
 */
export async function probeQuic(target: QuicTarget, context: ProbeContext): Promise<QuicProbe> {
  const port = target.port ?? 443;
  const t0 = context.clock.seconds();
  const deadline = createDeadline(context.timeoutMs, context.signal);
  const initial = buildQuicInitial({ sni: target.sni, alpn: target.alpn ?? ['h3'] });
  const outcome = await new Promise<QuicOutcome>((resolve) => {
    if (deadline.signal.aborted) {
      resolve({ response: null, failure: deadline.failure() });
      return;
    }
    const socket = dgram.createSocket(isIPv6(target.ip) ? 'udp6' : 'udp4');
    let resend: NodeJS.Timeout | undefined;
    const finish = (result: QuicOutcome) => {
      clearTimeout(resend);
      deadline.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('message');
      socket.close();
      resolve(result);
    };
    const onAbort = () => finish({ response: null, failure: deadline.failure() });
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('message', (datagram) =>
      finish({ response: classifyQuicResponse(datagram, initial.sourceConnectionId), failure: null }),
    );
    socket.once('error', (error) => finish({ response: null, failure: mapNodeError(error) }));
    // Connected, so an ICMP port-unreachable surfaces as connection_refused.
    const network = probeNetworkOf(context);
    const dial = dialTarget(network, target.ip, port);
    const sendEvery = (timeoutMs: number) => {
      socket.send(initial.datagram);
      resend = setTimeout(() => sendEvery(timeoutMs * 2), timeoutMs);
    };
    const connect = () => socket.connect(dial.port, dial.ip, () => sendEvery(INITIAL_PTO_MS));
    if (network.localAddress === undefined) connect();
    else socket.bind({ address: network.localAddress, port: 0 }, connect);
  });
  return { ip: target.ip, port, sni: target.sni, ...outcome, t0, t: context.clock.seconds() };
}
