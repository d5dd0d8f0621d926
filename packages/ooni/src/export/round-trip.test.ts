import { PassThrough } from 'node:stream';
import { classifyMeasurement } from '@reachmap/classifier';
import type { HttpExchange, Measurement, TlsHandshake } from '@reachmap/schema';
import { emptyObservations, sampleMeasurement } from '@reachmap/schema/testing';
import { describe, expect, it } from 'vitest';
import type { MappedMeasurement } from '../import/map-measurement.ts';
import { importOoni } from '../import-ooni.ts';
import { exportOoni } from './export-ooni.ts';

const EMPTY = emptyObservations();
const IP = '198.18.0.10';

function handshake(
  role: TlsHandshake['sni_role'],
  sni: string,
  failure: TlsHandshake['failure'],
): TlsHandshake {
  return {
    ip: IP,
    port: 443,
    sni,
    sni_role: role,
    alpn_offered: ['h2'],
    alpn_negotiated: failure === null ? 'h2' : null,
    tls_version: failure === null ? 'TLSv1.3' : null,
    cipher_suite: null,
    peer_certificates: [],
    validation: { valid: failure === null, failure: null },
    failure,
    t0: 0.02,
    t: 0.05,
  };
}

function exchange(hop: number, url: string, response: HttpExchange['response']): HttpExchange {
  return {
    hop,
    request: { method: 'GET', url, headers: { Host: new URL(url).host } },
    response,
    failure: null,
    t0: 0.1 * (hop + 1),
    t: 0.1 * (hop + 1) + 0.05,
  };
}

function page(
  status: number,
  extra: Partial<NonNullable<HttpExchange['response']>> = {},
): HttpExchange['response'] {
  return {
    status,
    headers: {},
    body_length: 120,
    body_truncated: false,
    body_sha256: null,
    title: null,
    blockpage: null,
    ...extra,
  };
}

const tcpOk = { ip: IP, port: 443, failure: null, t0: 0.001, t: 0.01 };

const SCENARIOS: Record<string, Measurement> = {
  'DNS NXDOMAIN': sampleMeasurement({
    observations: {
      ...EMPTY,
      dns: [
        {
          resolver: { kind: 'system', address: null },
          hostname: 'e1.whatsapp.net',
          query_type: 'A',
          answers: [],
          rcode: 'NXDOMAIN',
          failure: 'dns_nxdomain_error',
          t0: 0,
          t: 0.01,
        },
        {
          resolver: { kind: 'doh', address: 'https://198.18.0.53/dns-query' },
          hostname: 'e1.whatsapp.net',
          query_type: 'A',
          answers: [{ type: 'A', value: IP, ttl: 60 }],
          rcode: 'NOERROR',
          failure: null,
          t0: 0,
          t: 0.02,
        },
      ],
    },
  }),
  'SNI reset': sampleMeasurement({
    observations: {
      ...EMPTY,
      tcp: [tcpOk],
      tls: [
        handshake('target', 'web.whatsapp.com', 'connection_reset'),
        handshake('control', 'example.org', null),
      ],
    },
  }),
  blockpage: sampleMeasurement({
    target: {
      id: 'web-blocked-example-org',
      kind: 'service',
      control: null,
      input: 'http://blocked.example.org/',
      catalogue_version: 'lab-1',
    },
    test: { name: 'web', version: '0.1.0' },
    observations: {
      ...EMPTY,
      tcp: [{ ...tcpOk, port: 80 }],
      http: [
        exchange(0, 'http://blocked.example.org/', page(200, { title: 'Blocked', blockpage: 'lab-rkn' })),
      ],
    },
  }),
  ok: sampleMeasurement({
    observations: {
      ...EMPTY,
      tcp: [tcpOk],
      tls: [handshake('target', 'web.whatsapp.com', null)],
      http: [
        exchange(
          0,
          'http://web.whatsapp.com/',
          page(302, { headers: { Location: 'https://web.whatsapp.com/' } }),
        ),
        exchange(1, 'https://web.whatsapp.com/', page(200, { title: 'WhatsApp' })),
      ],
    },
  }),
};

async function roundTrip(measurements: Measurement[]): Promise<MappedMeasurement[]> {
  const channel = new PassThrough();
  const items = measurements.map((measurement) => ({
    measurement,
    verdict: classifyMeasurement({ measurement, controls: [] }),
  }));
  const exported = await exportOoni(items, channel);
  expect(exported).toEqual({ exported: measurements.length, skipped: [] });
  channel.end();
  const imported: MappedMeasurement[] = [];
  await importOoni([{ name: 'export', stream: channel }], {
    submit: async () => {},
    onImported: (m) => imported.push(m),
  });
  return imported;
}

describe('export → import round trip', () => {
  it('preserves every verdict, the carried verdict and the measurement id', async () => {
    const originals = Object.values(SCENARIOS);
    const imported = await roundTrip(originals);
    expect(imported).toHaveLength(originals.length);
    const summary = (measurement: Measurement) => {
      const verdict = classifyMeasurement({ measurement, controls: [] });
      return { id: measurement.id, status: verdict.status, method: verdict.method };
    };
    const before = originals.map(summary);
    expect(before.map((v) => v.method)).toEqual(['nxdomain', 'sni-reset', 'blockpage', null]);
    expect(imported.map((m) => summary(m.measurement))).toEqual(before);
    expect(imported.map((m) => [m.carriedVerdict?.status, m.carriedVerdict?.method])).toEqual(
      before.map((v) => [v.status, v.method]),
    );
    expect(imported.map((m) => m.measurement.target.id)).toEqual(originals.map((m) => m.target.id));
    expect(imported[3]?.measurement.observations.http.map((e) => e.hop)).toEqual([0, 1]);
  });

  it('writes OONI base keys and per-test summary keys', async () => {
    const channel = new PassThrough();
    const measurement = SCENARIOS['SNI reset'] as Measurement;
    await exportOoni([{ measurement, verdict: null }], channel);
    channel.end();
    const line = JSON.parse(channel.read().toString());
    expect(line).toMatchObject({
      probe_cc: 'RU',
      probe_asn: 'AS64500',
      measurement_start_time: '2026-11-23 10:00:00',
      software_name: 'reachmap-agent',
      data_format_version: '0.2.0',
      test_name: 'whatsapp',
      test_keys: {
        whatsapp_endpoints_status: 'ok',
        tls_handshakes: [
          { address: `${IP}:443`, failure: 'connection_reset', tags: [] },
          { server_name: 'example.org', tags: ['reachmap_sni_control'] },
        ],
      },
      x_reachmap: { measurement_id: measurement.id, verdict: null },
    });
    expect(line.report_id).toMatch(/^20261123T100000Z_whatsapp_RU_64500_n1_[0-9a-f]{16}$/);
  });
});
