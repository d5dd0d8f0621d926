import { newMeasurementId, newPrefixedId } from './ids.ts';
import type { Measurement } from './measurement.ts';
import type { Observations } from './observations.ts';

/**
 * A valid v1 measurement for tests in every package: a successful TCP connect to a lab address
 * (198.18.0.0/15). Override any top-level field; nested objects are replaced whole.
 */
export function sampleMeasurement(overrides: Partial<Measurement> = {}): Measurement {
  const start = overrides.start_time ?? '2026-11-23T10:00:00.000Z';
  return {
    id: newMeasurementId(Date.parse(start)),
    schema_version: 1,
    agent: { id: 'agt_0000000000000000sample', software: { name: 'reachmap-agent', version: '0.1.0' } },
    network: { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' },
    source: { kind: 'agent', ooni: null },
    target: {
      id: 'whatsapp',
      kind: 'service',
      control: null,
      input: 'e1.whatsapp.net:443',
      catalogue_version: 'lab-1',
    },
    test: { name: 'whatsapp', version: '0.1.0' },
    round: { id: newPrefixedId('rnd'), controls: [] },
    start_time: start,
    end_time: new Date(Date.parse(start) + 1500).toISOString(),
    observations: {
      dns: [],
      tcp: [{ ip: '198.18.0.10', port: 443, failure: null, t0: 0.001, t: 0.012 }],
      tls: [],
      http: [],
      quic: [],
      throughput: [],
      network_events: [],
    },
    ...overrides,
  };
}

/** Observations with every layer empty, for tests that fill in only the layers they are about. */
export function emptyObservations(): Observations {
  return { dns: [], tcp: [], tls: [], http: [], quic: [], throughput: [], network_events: [] };
}
