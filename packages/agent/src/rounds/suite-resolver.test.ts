import dgram from 'node:dgram';
import { createMeasurementClock, type ProbeContext } from '@reachmap/probes';
import { answerDnsQuery, type LabDnsZone } from '@reachmap/probes/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SuiteResolver } from './suite-resolver.ts';

const ZONE: LabDnsZone = {
  'lossy.lab': { a: ['198.18.7.1'] },
  'gone.lab': { rcode: 'NXDOMAIN' },
  'dropped.lab': { silent: true },
};

/** The question's name, read from its length-prefixed labels after the 12-byte header (RFC 1035 §4.1). */
function questionName(query: Buffer): string {
  const labels: string[] = [];
  for (
    let offset = 12;
    query[offset] !== undefined && query[offset] !== 0;
    offset += (query[offset] ?? 0) + 1
  ) {
    labels.push(query.subarray(offset + 1, offset + 1 + (query[offset] ?? 0)).toString('latin1'));
  }
  return labels.join('.');
}

/** A UDP resolver on loopback whose line loses the first question for each name, as a lossy one does. */
async function startLossyResolver(): Promise<{ address: string; asked: Map<string, number>; close(): void }> {
  const socket = dgram.createSocket('udp4');
  const asked = new Map<string, number>();
  socket.on('message', (query, remote) => {
    const name = questionName(query);
    const count = (asked.get(name) ?? 0) + 1;
    asked.set(name, count);
    if (count === 1) return;
    const reply = answerDnsQuery(query, ZONE);
    if (reply !== null) socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${socket.address().port}`, asked, close: () => socket.close() };
}

let resolver: Awaited<ReturnType<typeof startLossyResolver>> | undefined;
afterEach(() => resolver?.close());

function suiteResolver(systemResolver: string): SuiteResolver {
  const context: ProbeContext = {
    clock: createMeasurementClock(),
    timeoutMs: 300,
    network: { systemResolver },
  };
  return new SuiteResolver(context);
}

describe("the suite's endpoint resolver", () => {
  it('asks once more when the first question got no answer, and records both', async () => {
    resolver = await startLossyResolver();
    const suite = suiteResolver(resolver.address);
    expect(await suite.addresses('lossy.lab')).toEqual(['198.18.7.1']);
    expect(suite.queries.map((query) => query.failure)).toEqual(['generic_timeout_error', null]);
    // Cached for the rest of the measurement: endpoints on one host share the lookup.
    expect(await suite.addresses('lossy.lab')).toEqual(['198.18.7.1']);
    expect(resolver.asked.get('lossy.lab')).toBe(2);
  });

  it("keeps the resolver's word: an answered NXDOMAIN is not asked again", async () => {
    resolver = await startLossyResolver();
    resolver.asked.set('gone.lab', 1);
    const suite = suiteResolver(resolver.address);
    expect(await suite.addresses('gone.lab')).toEqual([]);
    expect(suite.queries.map((query) => query.failure)).toEqual(['dns_nxdomain_error']);
  });

  it('gives up after the second unanswered question: a dropped name costs two timeouts, not more', async () => {
    resolver = await startLossyResolver();
    const suite = suiteResolver(resolver.address);
    expect(await suite.addresses('dropped.lab')).toEqual([]);
    expect(suite.queries.map((query) => query.failure)).toEqual([
      'generic_timeout_error',
      'generic_timeout_error',
    ]);
    expect(resolver.asked.get('dropped.lab')).toBe(2);
  });
});
