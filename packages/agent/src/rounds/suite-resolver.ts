import { isIP } from 'node:net';
import { type ProbeContext, probeDns } from '@reachmap/probes';
import type { DnsQuery } from '@reachmap/schema';

/**
 * Hostnames in tcp/tls/quic/throughput endpoints are resolved once per measurement with the system
 * resolver, as an application would, and the lookups are recorded with the other DNS observations.
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
      pending = probeDns({ kind: 'system' }, { hostname: host, type: 'A' }, this.#context).then((query) => {
        this.queries.push(query);
        return query.answers.filter((answer) => answer.type === 'A').map((answer) => answer.value);
      });
      this.#cache.set(host, pending);
    }
    return pending;
  }
}
