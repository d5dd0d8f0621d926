import { createMeasurementClock, type ProbeContext } from '@reachmap/probes';
import { type LabDnsServer, type LabDnsZone, startLabDnsServer } from '@reachmap/probes/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SuiteResolver } from './suite-resolver.ts';

const ZONE: LabDnsZone = {
  'lossy.lab': { a: ['198.18.7.1'] },
  'gone.lab': { rcode: 'NXDOMAIN' },
  'dropped.lab': { silent: true },
};

let resolver: LabDnsServer | undefined;
afterEach(async () => await resolver?.close());

/** The suite's resolver against a lab resolver whose line loses its first `lose` questions. */
async function suiteResolver(lose: number): Promise<SuiteResolver> {
  resolver = await startLabDnsServer(ZONE, { lose });
  const context: ProbeContext = {
    clock: createMeasurementClock(),
    timeoutMs: 300,
    network: { systemResolver: resolver.address },
  };
  return new SuiteResolver(context);
}

describe("the suite's endpoint resolver", () => {
  it('asks once more when the first question got no answer, and records both', async () => {
    const suite = await suiteResolver(1);
    expect(await suite.addresses('lossy.lab')).toEqual(['198.18.7.1']);
    expect(suite.queries.map((query) => query.failure)).toEqual(['generic_timeout_error', null]);
    // Cached for the rest of the measurement: endpoints on one host share the lookup, no third question.
    expect(await suite.addresses('lossy.lab')).toEqual(['198.18.7.1']);
    expect(suite.queries).toHaveLength(2);
  });

  it("keeps the resolver's word: an answered NXDOMAIN is not asked again", async () => {
    const suite = await suiteResolver(0);
    expect(await suite.addresses('gone.lab')).toEqual([]);
    expect(suite.queries.map((query) => query.failure)).toEqual(['dns_nxdomain_error']);
  });

  it('gives up after the second unanswered question: a dropped name costs two timeouts, not more', async () => {
    const suite = await suiteResolver(0);
    expect(await suite.addresses('dropped.lab')).toEqual([]);
    expect(suite.queries.map((query) => query.failure)).toEqual([
      'generic_timeout_error',
      'generic_timeout_error',
    ]);
  });
});
