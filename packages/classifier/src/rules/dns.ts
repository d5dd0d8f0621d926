import type { DnsQuery, Method } from '@reachmap/schema';
import { isBogon } from '../bogon.ts';
import { describeDns } from '../evidence.ts';
import { prevalentMethod } from '../failure-method.ts';
import { type IpAddress, type IpPrefix, parseIp, parsePrefix, prefixContains } from '../ip-address.ts';
import { answeredIps, recordedAddresses } from '../outcome.ts';
import type { Rule } from './rule.ts';

type DnsMethod = Extract<Method, 'nxdomain' | 'servfail' | 'bogon' | 'dns-mismatch'>;
const DNS_METHODS: readonly DnsMethod[] = ['nxdomain', 'servfail', 'bogon', 'dns-mismatch'];

function parsed(texts: readonly string[]): IpAddress[] {
  return texts.flatMap((text) => parseIp(text) ?? []);
}

function isNxdomain(query: DnsQuery): boolean {
  return query.failure === 'dns_nxdomain_error' || query.rcode === 'NXDOMAIN';
}

function isServfail(query: DnsQuery): boolean {
  return query.failure === 'dns_servfail_error' || query.rcode === 'SERVFAIL';
}

/**
 * A system-resolver question getaddrinfo gave up on (EAI_AGAIN, recorded as `dns_temporary_failure`,
 * as OONI does). glibc reports a SERVFAIL this way, with no rcode, but also a question or answer
 * lost on the line (after resolv.conf's timeout), so a few prove nothing: in lab world 20261400 the
 * clean ISPs on 8 Mbit/s lines lost 1-8 of WhatsApp's 37 system questions that way, each after
 * exactly the 2 s timeout, while the censored ISP's SERVFAIL failed all of Telegram's.
 */
function isTemporaryFailure(query: DnsQuery): boolean {
  return query.resolver.kind === 'system' && query.failure === 'dns_temporary_failure';
}

/**
 * How the system resolver's answer differs from a control resolver's that did resolve the name (docs/techniques.md:
 * RU national DNS answering NXDOMAIN/SERVFAIL, stubs to 127.0.0.1, answers outside the target's ranges).
 * Different but plausible answers are not a lie: CDNs answer differently per resolver, so without
 * known prefixes no mismatch is claimed.
 */
function dnsAnomaly(
  system: DnsQuery,
  references: readonly DnsQuery[],
  known: readonly IpPrefix[],
): DnsMethod | null {
  if (isNxdomain(system)) return 'nxdomain';
  if (isServfail(system)) return 'servfail';
  // The system answer as recorded, bogons included (the probe flags them as a failure, keeping them);
  // a reference counts only with a clean answer.
  const answered = parsed(recordedAddresses(system));
  const expected = parsed(references.flatMap(answeredIps));
  if (answered.some(isBogon) && !expected.some(isBogon)) return 'bogon';
  const inKnown = (address: IpAddress) => known.some((prefix) => prefixContains(prefix, address));
  if (known.length > 0 && answered.some((address) => !inKnown(address)) && expected.every(inKnown)) {
    return 'dns-mismatch';
  }
  return null;
}

/**
 * DNS: the system resolver disagrees with a control resolver (UDP/TCP/DoH) that answered the same name,
 * or answers NXDOMAIN for a name the target's expectations know to exist.
 */
export const dnsRule: Rule = ({ measurement, expectations }) => {
  const { dns } = measurement.observations;
  const known = (expectations.known_prefixes ?? []).flatMap((text) => parsePrefix(text) ?? []);
  const controlAnswers = dns.filter(
    (query) => query.resolver.kind !== 'system' && answeredIps(query).length > 0,
  );
  const knownNames = new Set((expectations.known_hostnames ?? []).map((name) => name.toLowerCase()));
  let compared = 0;
  let answeredByControl = 0;
  const anomalies: { method: DnsMethod; system: DnsQuery; reference: DnsQuery | null }[] = [];
  const temporaryFailures: { method: DnsMethod; system: DnsQuery; reference: DnsQuery }[] = [];
  for (const system of dns.filter(
    (query) => query.resolver.kind === 'system' && query.query_type !== 'CNAME',
  )) {
    const references = controlAnswers.filter((query) => query.hostname === system.hostname);
    const [reference] = references;
    if (reference === undefined) {
      // No resolver to compare with, but the name is known to exist: its removal is the anomaly.
      if (!knownNames.has(system.hostname.toLowerCase())) continue;
      compared += 1;
      if (isNxdomain(system)) anomalies.push({ method: 'nxdomain', system, reference: null });
      continue;
    }
    compared += 1;
    answeredByControl += 1;
    if (isTemporaryFailure(system)) {
      temporaryFailures.push({ method: 'servfail', system, reference });
      continue;
    }
    const method = dnsAnomaly(system, references, known);
    if (method !== null) anomalies.push({ method, system, reference });
  }
  // A resolver that fails the target's names (a SERVFAIL seen through getaddrinfo) fails most of them;
  // a lossy line loses a few. Only the first is read as `servfail` (docs/methodology.md, rule 2).
  if (temporaryFailures.length * 2 > answeredByControl) anomalies.push(...temporaryFailures);
  const method = prevalentMethod(
    anomalies.map((anomaly) => anomaly.method),
    DNS_METHODS,
  );
  if (method === null) return null;
  return {
    status: 'blocked',
    layer: 'dns',
    method,
    evidence: anomalies.map(({ system, reference }) =>
      reference === null
        ? `${describeDns(system)}; the name is a published endpoint of the service`
        : `${describeDns(system)}; ${describeDns(reference)}`,
    ),
    support: {
      agreeing: anomalies.length,
      considered: compared,
      corroborating: new Set(anomalies.map((anomaly) => anomaly.reference ?? anomaly.system.hostname)).size,
    },
  };
};
