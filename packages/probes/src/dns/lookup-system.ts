import { lookup } from 'node:dns/promises';
import { mapNodeError } from '@reachmap/schema';
import { type Deadline, whenExpired } from '../deadline.ts';
import { type DnsOutcome, type DnsRecordType, failureForAnswers } from './wire.ts';

export class UnsupportedDnsQueryError extends Error {
  override readonly name = 'UnsupportedDnsQueryError';
}

/**
 * The system resolver through getaddrinfo (`dns.lookup`), what ordinary applications use. It exposes
 * neither TTLs nor the response code: rcode is NOERROR on success and null on failure, and ENOTFOUND
 * (EAI_NONAME) is recorded as `dns_nxdomain_error` as OONI does. getaddrinfo cannot be cancelled, so
 * the deadline only stops the wait.
 */
export async function lookupSystem(
  hostname: string,
  type: DnsRecordType,
  deadline: Deadline,
): Promise<DnsOutcome> {
  if (type === 'CNAME') throw new UnsupportedDnsQueryError('the system resolver cannot answer CNAME queries');
  const family = type === 'A' ? 4 : 6;
  const lookedUp = lookup(hostname, { all: true, family }).then(
    (addresses) => ({ ok: true as const, addresses }),
    (error: unknown) => ({ ok: false as const, failure: mapNodeError(error) }),
  );
  const result = await Promise.race([
    lookedUp,
    whenExpired(deadline).then((failure) => ({ ok: false as const, failure })),
  ]);
  if (!result.ok) return { rcode: null, answers: [], failure: result.failure };
  const answers = result.addresses.slice(0, 100).map((entry) => ({ type, value: entry.address, ttl: null }));
  return { rcode: 'NOERROR', answers, failure: failureForAnswers(answers, type) };
}
