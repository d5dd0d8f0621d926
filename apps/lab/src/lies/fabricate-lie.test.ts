import { classifyMeasurement } from '@reachmap/classifier';
import {
  type Layer,
  type Measurement,
  MeasurementV1,
  type Method,
  type Observations,
  type ThroughputRun,
  type VerdictStatus,
} from '@reachmap/schema';
import { emptyObservations, sampleMeasurement } from '@reachmap/schema/testing';
import { describe, expect, it } from 'vitest';
import { fabricateLie } from './fabricate-lie.ts';
import type { LieStatus } from './lie-status.ts';

// Honest measurements as a lab agent records them on a clean network (198.18.0.0/15 addresses).
const TARGET_IP = '198.18.0.10';
const REFLECTOR_IP = '198.18.0.20';
const TRANSFER_BYTES = 256 * 1024;

const NO_OBSERVATIONS = emptyObservations();

function measurement(
  target: Pick<Measurement['target'], 'id' | 'kind' | 'control'>,
  observations: Partial<Observations>,
): Measurement {
  const base = sampleMeasurement();
  return MeasurementV1.parse({
    ...base,
    target: { ...base.target, ...target, input: null },
    observations: { ...NO_OBSERVATIONS, ...observations },
  });
}

/** A transfer of 256 KiB in 0.4 s (about 5 Mbit/s), as the lab's unshaped world serves it. */
function fastRun(
  connection: number,
  where: Pick<ThroughputRun, 'ip' | 'port' | 'sni' | 'sni_role'>,
  t0: number,
): ThroughputRun {
  const quarter = TRANSFER_BYTES / 4;
  return {
    direction: 'download',
    connection,
    ...where,
    samples: [
      [0, 0],
      [0.1, quarter],
      [0.2, 2 * quarter],
      [0.3, 3 * quarter],
      [0.4, TRANSFER_BYTES],
    ],
    bytes: TRANSFER_BYTES,
    duration_s: 0.4,
    ttfb_s: 0.1,
    goodput_bps: Math.round(((TRANSFER_BYTES - quarter) * 8) / 0.3),
    longest_stall_s: 0.1,
    bytes_before_stall: 0,
    failure: null,
    t0,
    t: t0 + 0.4,
  };
}

const fiveFast = (where: Pick<ThroughputRun, 'ip' | 'port' | 'sni' | 'sni_role'>, from: number) =>
  [0, 1, 2, 3, 4].map((connection) => fastRun(connection, where, from + connection * 0.5));

const CONTROLS = [
  measurement(
    { id: 'control-domestic-ru', kind: 'control', control: 'domestic' },
    { tcp: [{ ip: '198.18.6.10', port: 443, failure: null, t0: 0, t: 0.01 }] },
  ),
  measurement(
    { id: 'control-foreign-hetzner', kind: 'control', control: 'foreign' },
    {
      tcp: [{ ip: '198.19.1.10', port: 443, failure: null, t0: 0, t: 0.01 }],
      throughput: fiveFast(
        { ip: '198.19.1.10', port: 443, sni: 'nbg1-speed.hetzner.com.lab', sni_role: 'target' },
        0.1,
      ),
    },
  ),
];

const SERVICE = { id: 'whatsapp', kind: 'service', control: null } as const;

/** WhatsApp-like: DNS, TCP to several endpoints, TLS with a harmless SNI beside it, HTTP, QUIC; no transfers. */
const messenger = measurement(SERVICE, {
  dns: [
    {
      resolver: { kind: 'system', address: null },
      hostname: 'e1.whatsapp.net.lab',
      query_type: 'A',
      answers: [{ type: 'A', value: TARGET_IP, ttl: 300 }],
      rcode: 'NOERROR',
      failure: null,
      t0: 0,
      t: 0.01,
    },
  ],
  tcp: [
    { ip: TARGET_IP, port: 443, failure: null, t0: 0.01, t: 0.02 },
    { ip: TARGET_IP, port: 5222, failure: null, t0: 0.01, t: 0.02 },
  ],
  tls: (['target', 'control'] as const).map((role) => ({
    ip: TARGET_IP,
    port: 443,
    sni: role === 'target' ? 'e1.whatsapp.net.lab' : 'example.com.lab',
    sni_role: role,
    alpn_offered: ['h2', 'http/1.1'],
    alpn_negotiated: 'h2',
    tls_version: 'TLSv1.3',
    cipher_suite: 'TLS_AES_128_GCM_SHA256',
    peer_certificates: [],
    validation: { valid: true, failure: null },
    failure: null,
    t0: 0.02,
    t: 0.05,
  })),
  http: [
    {
      hop: 0,
      request: { method: 'GET', url: 'https://web.whatsapp.com.lab/', headers: {} },
      response: {
        status: 200,
        headers: {},
        body_length: 5000,
        body_truncated: false,
        body_sha256: null,
        title: 'WhatsApp Web',
        blockpage: null,
      },
      failure: null,
      t0: 0.05,
      t: 0.1,
    },
  ],
  quic: [
    {
      ip: TARGET_IP,
      port: 443,
      sni: 'e1.whatsapp.net.lab',
      response: 'version_negotiation',
      failure: null,
      t0: 0.1,
      t: 0.12,
    },
  ],
});

/** YouTube-like: the messenger's layers plus transfers from a reflector with the target's and a harmless SNI. */
const streaming = measurement(SERVICE, {
  ...messenger.observations,
  throughput: [
    ...fiveFast({ ip: REFLECTOR_IP, port: 443, sni: 'rr1.googlevideo.com.lab', sni_role: 'target' }, 0.2),
    ...fiveFast({ ip: REFLECTOR_IP, port: 443, sni: 'example.com.lab', sni_role: 'control' }, 3),
  ],
});

/** Signal-in-the-agent-tests-like: only an HTTP check by IP and a plain-HTTP transfer; no TCP or TLS of its own. */
const webOnly = measurement(SERVICE, {
  http: [{ ...(messenger.observations.http[0] as Observations['http'][number]) }].map((exchange) => ({
    ...exchange,
    request: { ...exchange.request, url: 'http://198.18.0.30:8080/' },
  })),
  throughput: fiveFast({ ip: '198.18.0.31', port: 80, sni: null, sni_role: 'target' }, 0.2),
});

const HONEST = { messenger, streaming, webOnly };

const EXPECTED: Record<LieStatus, [VerdictStatus, Layer | null, Method | null]> = {
  blocked: ['blocked', 'tcp', 'reset'],
  throttled: ['throttled', 'throughput', 'rate-cap'],
  stalled: ['stalled', 'throughput', 'stall'],
};

const verdictOf = (judged: Measurement) => classifyMeasurement({ measurement: judged, controls: CONTROLS });

describe('fabricateLie, judged by the real classifier', () => {
  it.each(Object.entries(HONEST))('the honest %s measurement is judged ok', (_name, honest) => {
    expect(verdictOf(honest).status).toBe('ok');
  });

  const rows = Object.entries(HONEST).flatMap(([name, honest]) =>
    (Object.keys(EXPECTED) as LieStatus[]).map((status) => [name, status, honest] as const),
  );

  it.each(rows)('a %s measurement fabricated as %s gets that verdict', (_name, status, honest) => {
    const fabricated = fabricateLie(honest, status);
    const verdict = verdictOf(fabricated);
    expect([verdict.status, verdict.layer, verdict.method], verdict.evidence.join('\n')).toEqual(
      EXPECTED[status],
    );
    // Still a valid v1 measurement of the same round, under the same id.
    expect(MeasurementV1.parse(fabricated)).toEqual(fabricated);
    expect({ ...fabricated, observations: null, end_time: null }).toEqual({
      ...honest,
      observations: null,
      end_time: null,
    });
    expect(Date.parse(fabricated.end_time)).toBeGreaterThanOrEqual(Date.parse(honest.end_time));
  });

  it('blocked resets a connect to every endpoint the honest measurement dialled, and leaves DNS and QUIC alone', () => {
    const fabricated = fabricateLie(webOnly, 'blocked').observations;
    expect(fabricated.tcp.map(({ ip, port, failure }) => `${ip}:${port} ${failure}`)).toEqual([
      '198.18.0.31:80 connection_reset',
      '198.18.0.30:8080 connection_reset',
    ]);
    expect(fabricated.http.map((exchange) => [exchange.response, exchange.failure])).toEqual([
      [null, 'connection_reset'],
    ]);
    expect(fabricated.throughput.every((run) => run.bytes === 0 && run.failure === 'connection_reset')).toBe(
      true,
    );
    const fromMessenger = fabricateLie(messenger, 'blocked').observations;
    expect(fromMessenger.dns).toEqual(messenger.observations.dns);
    expect(fromMessenger.quic).toEqual(messenger.observations.quic);
    expect(fromMessenger.tls).toEqual([]);
  });

  it('throughput lies keep the harmless-SNI transfers as measured and shape five fresh target connections', () => {
    const honestControls = streaming.observations.throughput.filter((run) => run.sni_role === 'control');
    for (const status of ['throttled', 'stalled'] as const) {
      const runs = fabricateLie(streaming, status).observations.throughput;
      expect(runs.filter((run) => run.sni_role === 'control')).toEqual(honestControls);
      const target = runs.filter((run) => run.sni_role === 'target');
      expect(target.map((run) => run.connection)).toEqual([0, 1, 2, 3, 4]);
      expect(target.every((run) => run.ip === REFLECTOR_IP && run.sni === 'rr1.googlevideo.com.lab')).toBe(
        true,
      );
    }
    const [policed] = fabricateLie(streaming, 'throttled').observations.throughput.filter(
      (run) => run.sni_role === 'target',
    );
    expect(policed?.goodput_bps).toBeGreaterThan(120_000);
    expect(policed?.goodput_bps).toBeLessThan(136_000);
    const [stalled] = fabricateLie(streaming, 'stalled').observations.throughput.filter(
      (run) => run.sni_role === 'target',
    );
    expect(stalled).toMatchObject({
      bytes: 16_384,
      bytes_before_stall: 16_384,
      failure: 'generic_timeout_error',
    });
    expect(stalled?.longest_stall_s).toBeGreaterThanOrEqual(5);
  });
});
