import { readFileSync } from 'node:fs';
import { validateMeasurement } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { readOoniDocument } from '../ooni-document.ts';
import { HAVE_REAL_OONI_FIXTURES, realFixture, SYNTHETIC_FIXTURES } from '../testing/ooni-fixtures.ts';
import { mapOoniMeasurement } from './map-measurement.ts';

function mapFile(path: string) {
  const document = readOoniDocument(JSON.parse(readFileSync(path, 'utf8')));
  if (document.kind !== 'measurement') throw new Error(`not a measurement: ${JSON.stringify(document)}`);
  const mapped = mapOoniMeasurement(document.raw, document.meta, document.pointer);
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.reason));
  return { document, mapped };
}

const RU_TELEGRAM =
  'measurement_meta__measurement_uid-20221109225810.435617_RU_telegram_ecbc73cacd8ea566_full-true.json';
const US_TELEGRAM =
  'measurement_meta__measurement_uid-20221110102858.395748_US_telegram_b2b51fffce62b986_full-true.json';
const BR_SIGNAL =
  'measurement_meta__measurement_uid-20210414233242.034345_BR_signal_390dca674022005a_full-true.json';

describe.skipIf(!HAVE_REAL_OONI_FIXTURES)('mapping real OONI measurements', () => {
  it('maps network, provenance and target from a measurement_meta response', () => {
    const { measurement } = mapFile(realFixture(RU_TELEGRAM)).mapped;
    expect(measurement.network).toEqual({ country: 'RU', region: null, asn: 8402, network_type: 'unknown' });
    expect(measurement.source).toEqual({
      kind: 'ooni',
      ooni: {
        report_id: '20221109T225726Z_telegram_RU_8402_n1_qnYloXASGMUg2G9O',
        measurement_uid: '20221109225810.435617_RU_telegram_ecbc73cacd8ea566',
        test_name: 'telegram',
        anomaly: true,
        confirmed: false,
        failure: false,
        category_code: null,
        blocking_type: null,
      },
    });
    expect(measurement.target).toMatchObject({ id: 'telegram', kind: 'service', input: null });
    expect(measurement.start_time).toBe('2022-11-09T22:57:59.000Z');
    expect(measurement.agent.id).toMatch(/^agt_ooni[0-9a-f]{24}$/);
    expect(validateMeasurement(measurement).ok).toBe(true);
  });

  it('gives the same id to the same measurement mapped twice, and from the archive or the API', () => {
    const first = mapFile(realFixture(RU_TELEGRAM));
    const again = mapFile(realFixture(RU_TELEGRAM)).mapped.measurement;
    const bare = mapOoniMeasurement(first.document.kind === 'measurement' ? first.document.raw : null, null);
    expect(again.id).toBe(first.mapped.measurement.id);
    expect(bare.ok && bare.measurement.id).toBe(first.mapped.measurement.id);
    expect(Date.parse(first.mapped.measurement.start_time)).toBe(
      Number.parseInt(first.mapped.measurement.id.replace(/-/g, '').slice(0, 12), 16),
    );
  });

  it("scores a bare measurement with fastpath's rules when no API envelope carries OONI's flags", () => {
    // whatsapp_web_status is "blocked", but fastpath ignores the status keys (ooni/probe-engine#341):
    // every request succeeded and the endpoints connected.
    expect(mapFile(realFixture('whatsapp.json')).mapped.measurement.source.ooni).toMatchObject({
      anomaly: false,
      confirmed: false,
      failure: false,
      measurement_uid: null,
    });
    expect(mapFile(realFixture('web_connectivity_ir_fp.json')).mapped.measurement.source.ooni).toMatchObject({
      anomaly: true,
      confirmed: null,
    });
    // A DC request without a URL is a client bug to fastpath: the measurement is discarded.
    expect(mapFile(realFixture('telegram_nourl.json')).mapped.measurement.source.ooni).toMatchObject({
      failure: true,
    });
  });

  it('turns OONI newest-first requests into redirect chains with hops', () => {
    const { http } = mapFile(realFixture(US_TELEGRAM)).mapped.measurement.observations;
    const webChain = http.filter((exchange) => exchange.request.url.includes('web.telegram.org'));
    expect(
      webChain.map((exchange) => [exchange.request.url, exchange.hop, exchange.response?.status]),
    ).toEqual([
      ['http://web.telegram.org/', 0, 301],
      ['https://web.telegram.org/', 1, 200],
      ['https://web.telegram.org/', 0, 200],
    ]);
  });

  it('infers the address of old handshakes that recorded only the SNI', () => {
    const { tls } = mapFile(realFixture(BR_SIGNAL)).mapped.measurement.observations;
    expect(tls).toHaveLength(6);
    expect(tls[0]).toMatchObject({
      ip: '142.250.78.211',
      port: 443,
      sni: 'storage.signal.org',
      failure: null,
    });
  });

  it('maps the web_connectivity test helper DNS as a control resolver and the input host as target', () => {
    const { measurement } = mapFile(realFixture('web_connectivity_ir_fp.json')).mapped;
    expect(measurement.target).toMatchObject({ id: 'web-facebook-com', input: 'https://www.facebook.com/' });
    expect(measurement.observations.dns.filter((query) => query.resolver.kind === 'doh')).toMatchObject([
      { resolver: { address: 'https://0.th.ooni.org' }, answers: [{ value: '157.240.192.35' }] },
      { query_type: 'AAAA' },
    ]);
  });

  it('keeps unknown failures behind unknown_failure and drops requests without a URL with a reason', () => {
    const web = mapFile(
      realFixture(
        'measurement_meta__measurement_uid-20201029043459.005820_RU_webconnectivity_604f1cb2579d144d_full-true.json',
      ),
    ).mapped.measurement;
    expect(web.observations.http[0]?.failure).toBe('unknown_failure: response_never_received');
    const telegram = mapFile(realFixture('telegram_nourl.json')).mapped;
    expect(telegram.dropped).toHaveLength(12);
    expect(telegram.dropped[0]).toMatchObject({ path: '/test_keys/requests/0' });
  });
});

describe('mapping synthetic OONI measurements', () => {
  const facebook = JSON.parse(readFileSync(`${SYNTHETIC_FIXTURES}/facebook_messenger.json`, 'utf8'));

  it('maps facebook_messenger to the facebook-messenger target with its failures', () => {
    const mapped = mapOoniMeasurement(facebook, null);
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.measurement.target.id).toBe('facebook-messenger');
    expect(mapped.measurement.source.ooni).toMatchObject({ anomaly: true, confirmed: false });
    expect(mapped.measurement.observations.dns[1]).toMatchObject({
      failure: 'dns_nxdomain_error',
      answers: [],
    });
    expect(mapped.measurement.observations.tcp[0]).toMatchObject({
      failure: 'connection_reset',
      t0: 0.03,
      t: 0.05,
    });
  });

  it('reads names every plain object inherits (constructor, toString) as data, never as a table entry', () => {
    const named = (testName: string) => ({ ...facebook, test_name: testName });
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const mapped = mapOoniMeasurement(named(name), null);
      expect(mapped).toMatchObject({ ok: false, reason: { kind: 'unsupported_test', test_name: name } });
    }
    const [query] = facebook.test_keys.queries;
    const [connect] = facebook.test_keys.tcp_connect;
    const hostile = {
      ...facebook,
      test_keys: {
        ...facebook.test_keys,
        queries: [{ ...query, engine: 'constructor' }, query],
        tcp_connect: [{ ...connect, status: { failure: 'constructor', success: false } }],
        network_events: [{ operation: 'toString', address: '198.18.0.21:443', t: 0.04 }],
      },
    };
    const mapped = mapOoniMeasurement(hostile, null);
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.measurement.observations.dns).toHaveLength(1);
    expect(mapped.measurement.observations.tcp[0]?.failure).toBe('unknown_failure: constructor');
    expect(mapped.measurement.observations.network_events).toEqual([]);
    expect(validateMeasurement(mapped.measurement).ok).toBe(true);
  });

  it("imports the test helper's CNAME targets as CNAME answers and reports control answers that fail validation", () => {
    const web = {
      ...facebook,
      test_name: 'web_connectivity',
      input: 'http://blocked.example.org/',
      test_helpers: { backend: { address: 'https://0.th.ooni.org' } },
      test_keys: {
        queries: [],
        control: { dns: { failure: null, addrs: ['cdn.example.net', '192.0.2.7'] } },
      },
    };
    const mapped = mapOoniMeasurement(web, null);
    if (!mapped.ok) throw new Error(JSON.stringify(mapped.reason));
    expect(mapped.measurement.observations.dns).toMatchObject([
      {
        resolver: { kind: 'doh' },
        query_type: 'A',
        answers: [
          { type: 'CNAME', value: 'cdn.example.net' },
          { type: 'A', value: '192.0.2.7' },
        ],
      },
    ]);
    const broken = {
      ...web,
      test_keys: { queries: [], control: { dns: { failure: null, addrs: ['192.0.2.7', 'x'.repeat(300)] } } },
    };
    const reported = mapOoniMeasurement(broken, null);
    if (!reported.ok) throw new Error(JSON.stringify(reported.reason));
    expect(reported.dropped).toMatchObject([
      { path: '/test_keys/control/dns', reason: expect.stringMatching(/^control A query: /) },
    ]);
  });

  it('records a getaddrinfo answer without an rcode as NOERROR, bogon flag or not, and a failed query as unknown', () => {
    const answer = (ipv4: string) => ({ answer_type: 'A', ipv4, ttl: null });
    const query = (failure: string | null, answers: unknown[]) => ({
      engine: 'system',
      hostname: 'blocked.example.org',
      query_type: 'A',
      failure,
      answers,
    });
    const web = {
      ...facebook,
      test_name: 'web_connectivity',
      input: 'http://blocked.example.org/',
      test_keys: {
        queries: [
          query(null, [answer('10.10.34.36')]),
          query('dns_bogon_error', [answer('127.0.0.1')]),
          query('generic_timeout_error', []),
        ],
      },
    };
    const mapped = mapOoniMeasurement(web, null);
    if (!mapped.ok) throw new Error(JSON.stringify(mapped.reason));
    expect(mapped.measurement.observations.dns.map(({ rcode, failure }) => [rcode, failure])).toEqual([
      ['NOERROR', null],
      ['NOERROR', 'dns_bogon_error'],
      [null, 'generic_timeout_error'],
    ]);
  });

  it.each([
    [
      { ...facebook, test_name: 'ndt' },
      { kind: 'unsupported_test', test_name: 'ndt' },
    ],
    [
      { ...facebook, probe_asn: undefined },
      { kind: 'missing_field', path: '/probe_asn' },
    ],
    [
      { ...facebook, probe_asn: 'AS0' },
      { kind: 'invalid_field', path: '/probe_asn' },
    ],
    [
      { ...facebook, measurement_start_time: 'yesterday' },
      { kind: 'invalid_field', path: '/measurement_start_time' },
    ],
    [
      { ...facebook, test_name: 'web_connectivity', input: null },
      { kind: 'missing_field', path: '/input' },
    ],
    ['not an object', { kind: 'invalid_field', path: '' }],
  ])('gives a typed reason for an unmappable measurement (%#)', (raw, reason) => {
    const mapped = mapOoniMeasurement(raw, null);
    expect(mapped.ok).toBe(false);
    if (!mapped.ok) expect(mapped.reason).toMatchObject(reason);
  });
});
