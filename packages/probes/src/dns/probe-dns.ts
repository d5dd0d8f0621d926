import type { DnsQuery } from '@reachmap/schema';
import { createDeadline, type Deadline } from '../deadline.ts';
import { type ProbeNetwork, probeNetworkOf } from '../network/probe-network.ts';
import type { ProbeContext } from '../probe-options.ts';
import { type DohEndpoint, exchangeDoh } from './exchange-doh.ts';
import type { DnsExchangeResult } from './exchange-result.ts';
import { exchangeTcp } from './exchange-tcp.ts';
import { exchangeUdp } from './exchange-udp.ts';
import { lookupSystem, UnsupportedDnsQueryError } from './lookup-system.ts';
import { parseResolverAddress } from './resolver-address.ts';
import {
  type DnsOutcome,
  type DnsQuestion,
  encodeDnsQuery,
  interpretDnsResponse,
  randomQueryId,
} from './wire.ts';

/** Which resolver answers: the system's, a plain DNS server (`ip:port`) over UDP or TCP, or a DoH URL. */
export type DnsResolver =
  | { kind: 'system' }
  | { kind: 'udp'; address: string }
  | { kind: 'tcp'; address: string }
  | ({ kind: 'doh' } & DohEndpoint);

function resolverAddress(resolver: DnsResolver): string | null {
  if (resolver.kind === 'system') return null;
  return resolver.kind === 'doh' ? resolver.url : resolver.address;
}

async function resolveOverWire(
  resolver: Exclude<DnsResolver, { kind: 'system' }>,
  question: DnsQuestion,
  deadline: Deadline,
  network: ProbeNetwork,
): Promise<DnsOutcome> {
  // RFC 8484 §4.1: DoH clients SHOULD use id 0 so identical queries are cache-friendly.
  const id = resolver.kind === 'doh' ? 0 : randomQueryId();
  const query = encodeDnsQuery(question, id);
  let exchange: DnsExchangeResult;
  if (resolver.kind === 'doh') exchange = await exchangeDoh(resolver, query, deadline, network);
  else if (resolver.kind === 'tcp')
    exchange = await exchangeTcp(parseResolverAddress(resolver.address), query, deadline, network);
  else exchange = await exchangeUdp(parseResolverAddress(resolver.address), query, id, deadline, network);
  if (!exchange.ok) return { rcode: null, answers: [], failure: exchange.failure };
  return interpretDnsResponse(exchange.message, question, id);
}

/**
 * The system resolver's answer: getaddrinfo, or one UDP query to the network's `systemResolver`
 * where the lab stands in for the ISP resolver (a CNAME question is refused either way).
 */
export async function resolveWithSystem(
  question: DnsQuestion,
  deadline: Deadline,
  network: ProbeNetwork,
): Promise<DnsOutcome> {
  if (network.systemResolver === undefined)
    return await lookupSystem(question.hostname, question.type, deadline);
  if (question.type === 'CNAME')
    throw new UnsupportedDnsQueryError('the system resolver cannot answer CNAME queries');
  return await resolveOverWire({ kind: 'udp', address: network.systemResolver }, question, deadline, network);
}

/** One DNS question to one resolver, recorded as a v1 `DnsQuery`. */
export async function probeDns(
  resolver: DnsResolver,
  question: DnsQuestion,
  context: ProbeContext,
): Promise<DnsQuery> {
  const address = resolverAddress(resolver);
  const t0 = context.clock.seconds();
  const deadline = createDeadline(context.timeoutMs, context.signal);
  const network = probeNetworkOf(context);
  const outcome =
    resolver.kind === 'system'
      ? await resolveWithSystem(question, deadline, network)
      : await resolveOverWire(resolver, question, deadline, network);
  return {
    resolver: { kind: resolver.kind, address },
    hostname: question.hostname,
    query_type: question.type,
    ...outcome,
    t0,
    t: context.clock.seconds(),
  };
}
