import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { DnsQuery } from '@reachmap/schema';
import { rcodeName } from '../dns-rcode.ts';
import type { OoniDnsQuery } from '../ooni-format.ts';
import { ooniFailure } from './failure.ts';
import { timingOf } from './timing.ts';

type ResolverKind = DnsQuery['resolver']['kind'];

/**
 * OONI's `engine` names (df-002-dnst). `getaddrinfo`/`go` are the system resolver by another name, and
 * MK-era entries name no engine at all; DoT travels over TCP, the closest kind we have.
 */
const RESOLVER_KINDS: ReadonlyMap<string, ResolverKind> = new Map(
  Object.entries({
    system: 'system',
    getaddrinfo: 'system',
    go: 'system',
    udp: 'udp',
    tcp: 'tcp',
    dot: 'tcp',
    doh: 'doh',
  }),
);

const RECORD_TYPES = new Set(['A', 'AAAA', 'CNAME']);

function answersOf(query: OoniDnsQuery): DnsQuery['answers'] {
  return (query.answers ?? []).flatMap((answer): DnsQuery['answers'] => {
    const ttl =
      typeof answer.ttl === 'number' && Number.isInteger(answer.ttl) && answer.ttl >= 0 ? answer.ttl : null;
    if (answer.answer_type === 'A' && answer.ipv4) return [{ type: 'A' as const, value: answer.ipv4, ttl }];
    if (answer.answer_type === 'AAAA' && answer.ipv6)
      return [{ type: 'AAAA' as const, value: answer.ipv6, ttl }];
    if (answer.answer_type === 'CNAME' && answer.hostname) {
      return [{ type: 'CNAME' as const, value: answer.hostname, ttl }];
    }
    return [];
  });
}

/**
 * OONI's number as a name. getaddrinfo (OONI's `system` engine, every legacy web_connectivity query)
 * exposes no response code, so a query that answered addresses, clean or flagged `dns_bogon_error`,
 * is NOERROR, as reachmap's own system lookup records it; otherwise the code stays unknown (null).
 */
function rcodeOf(query: OoniDnsQuery): string | null {
  if (query.rcode !== null && query.rcode !== undefined) return rcodeName(query.rcode);
  const failure = ooniFailure(query.failure);
  const answered = answersOf(query).some((answer) => answer.type !== 'CNAME');
  return answered && (failure === null || failure === 'dns_bogon_error') ? 'NOERROR' : null;
}

export function mapDnsQuery(query: OoniDnsQuery): DnsQuery | string {
  const kind = RESOLVER_KINDS.get(query.engine ?? 'system');
  if (kind === undefined) return `unsupported resolver engine "${query.engine}"`;
  if (!RECORD_TYPES.has(query.query_type)) return `unsupported query type "${query.query_type}"`;
  const address = kind === 'system' || !query.resolver_address ? null : query.resolver_address;
  return {
    resolver: { kind, address },
    hostname: query.hostname,
    query_type: query.query_type as DnsQuery['query_type'],
    answers: answersOf(query),
    rcode: rcodeOf(query),
    failure: ooniFailure(query.failure),
    ...timingOf(query),
  };
}

export interface ControlDns {
  hostname: string;
  helper: string | null;
  failure: string | null | undefined;
  addrs: readonly string[];
}

/**
 * web_connectivity's test helper resolves the input's host from outside the probe's network and
 * returns `control.dns = {failure, addrs}` over HTTPS. That is a control resolver in our sense, so it
 * becomes a `doh` query at the helper's address, which lets the classifier's DNS rule compare the
 * system resolver with it. Its timing is unknown: 0.
 */
export function controlDnsQueries(control: ControlDns): DnsQuery[] {
  const base = {
    resolver: { kind: 'doh' as const, address: control.helper },
    hostname: control.hostname,
    rcode: null,
    failure: ooniFailure(control.failure),
    t0: 0,
    t: 0,
  };
  // The helper's addrs mix addresses with the CNAME targets it followed (`addrs: ["some.host", …]`).
  const ipv4 = control.addrs.filter((addr) => isIPv4(addr));
  const ipv6 = control.addrs.filter((addr) => isIPv6(addr));
  const names = control.addrs.filter((addr) => !isIP(addr));
  const cnames = names.map((value) => ({ type: 'CNAME' as const, value, ttl: null }));
  const queries: DnsQuery[] = [];
  if (ipv4.length > 0 || ipv6.length === 0) {
    queries.push({
      ...base,
      query_type: 'A',
      answers: [...cnames, ...ipv4.map((value) => ({ type: 'A' as const, value, ttl: null }))],
    });
  }
  if (ipv6.length > 0) {
    queries.push({
      ...base,
      query_type: 'AAAA',
      answers: [
        ...(ipv4.length > 0 ? [] : cnames),
        ...ipv6.map((value) => ({ type: 'AAAA' as const, value, ttl: null })),
      ],
    });
  }
  return queries;
}
