import { isIP } from 'node:net';
import { type ProbeContext, probeDns } from '@reachmap/probes';
import type { DnsQuery } from '@reachmap/schema';

/**
 * A lookup that got no answer at all: lost on the line (a timeout) or given up by getaddrinfo (EAI_AGAIN).
 * An answer, NXDOMAIN or a bogon is the resolver's word and is kept as it is.
 */
function unanswered(query: DnsQuery): boolean {
  return query.failure === 'generic_timeout_error' || query.failure === 'dns_temporary_failure';
}

/**
 * Hostnames in tcp/tls/quic/throughput endpoints are resolved once per measurement with the system
 * resolver, as an application would, and the lookups are recorded with the other DNS observations.
 * A lookup that got no answer is asked once more, as glibc's stub does (resolv.conf `attempts:2`):
 * on a lossy line one lost datagram would otherwise leave the endpoint's TCP, TLS and throughput
 * layers unmeasured (fuzz world 41204033: 8 % of lookups under 3 % loss). Both are recorded; the DNS
 * rule reads a lone timeout as nothing.
 */
export class SuiteResolver {
  readonly queries: DnsQuery[] = [];
  readonly #context: ProbeContext;
  readonly #cache = new Map<string, Promise<string[]>>();

  constructor(context: ProbeContext) {
    this.#context = context;
  }

  addresses(host: string): Promise<string[]> {
    if (isIP(host) !== 0) return Promise.resolve([host]);
    let pending = this.#cache.get(host);
    if (pending === undefined) {
      pending = this.#lookUp(host);
      this.#cache.set(host, pending);
    }
    return pending;
  }

  async #lookUp(host: string): Promise<string[]> {
    const ask = async () => {
      const query = await probeDns({ kind: 'system' }, { hostname: host, type: 'A' }, this.#context);
      this.queries.push(query);
      return query;
    };
    let query = await ask();
    if (unanswered(query) && this.#context.signal?.aborted !== true) query = await ask();
    return query.answers.filter((answer) => answer.type === 'A').map((answer) => answer.value);
  }
}
