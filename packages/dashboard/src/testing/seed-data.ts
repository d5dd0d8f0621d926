import type { Measurement } from '@reachmap/schema';
import { sampleMeasurement } from '@reachmap/schema/testing';
import type { ClassifiedMeasurement } from '@reachmap/store';

function throughputRun(connection: number, sniRole: 'target' | 'control', bytesPerSecond: number) {
  const samples: [number, number][] = [];
  for (let tenths = 0; tenths <= 50; tenths += 1)
    samples.push([tenths / 10, Math.round((tenths / 10) * bytesPerSecond)]);
  const bytes = samples.at(-1)?.[1] ?? 0;
  return {
    direction: 'download' as const,
    connection,
    ip: '198.18.0.20',
    port: 443,
    sni: sniRole === 'target' ? 'media.whatsapp.lab' : 'control.lab',
    sni_role: sniRole,
    samples,
    bytes,
    duration_s: 5,
    ttfb_s: 0.08,
    goodput_bps: bytesPerSecond * 8,
    longest_stall_s: 0.1,
    bytes_before_stall: null,
    failure: null,
    t0: 1,
    t: 6,
  };
}

/** A measurement with every layer observed: what the evidence view must show. */
export function seededMeasurement(startTime?: string): Measurement {
  return sampleMeasurement({
    ...(startTime === undefined ? {} : { start_time: startTime }),
    source: { kind: 'agent', ooni: null },
    network: { country: 'RU', region: 'RU-MOW', asn: 12389, network_type: 'fixed' },
    observations: {
      dns: [
        {
          resolver: { kind: 'udp', address: '198.18.0.53:53' },
          hostname: 'e1.whatsapp.lab',
          query_type: 'A',
          answers: [{ type: 'A', value: '198.18.0.10', ttl: 300 }],
          rcode: 'NOERROR',
          failure: null,
          t0: 0,
          t: 0.02,
        },
      ],
      tcp: [{ ip: '198.18.0.10', port: 443, failure: null, t0: 0.02, t: 0.05 }],
      tls: [
        {
          ip: '198.18.0.10',
          port: 443,
          sni: 'e1.whatsapp.lab',
          sni_role: 'target',
          alpn_offered: ['h2', 'http/1.1'],
          alpn_negotiated: null,
          tls_version: null,
          cipher_suite: null,
          peer_certificates: [],
          validation: { valid: false, failure: 'connection_reset' },
          failure: 'connection_reset',
          t0: 0.05,
          t: 0.09,
        },
        {
          ip: '198.18.0.10',
          port: 443,
          sni: 'control.lab',
          sni_role: 'control',
          alpn_offered: ['h2'],
          alpn_negotiated: 'h2',
          tls_version: 'TLSv1.3',
          cipher_suite: 'TLS_AES_128_GCM_SHA256',
          peer_certificates: [],
          validation: { valid: false, failure: 'ssl_invalid_hostname' },
          failure: null,
          t0: 0.1,
          t: 0.2,
        },
      ],
      http: [
        {
          hop: 0,
          request: { method: 'GET', url: 'http://web.whatsapp.lab/', headers: {} },
          response: {
            status: 302,
            headers: { location: 'https://web.whatsapp.lab/' },
            body_length: 0,
            body_truncated: false,
            body_sha256: null,
            title: null,
            blockpage: null,
          },
          failure: null,
          t0: 0.2,
          t: 0.3,
        },
        {
          hop: 1,
          request: { method: 'GET', url: 'https://web.whatsapp.lab/', headers: {} },
          response: null,
          failure: 'connection_reset',
          t0: 0.3,
          t: 0.4,
        },
      ],
      quic: [
        {
          ip: '198.18.0.10',
          port: 443,
          sni: 'e1.whatsapp.lab',
          response: null,
          failure: 'generic_timeout_error',
          t0: 0.4,
          t: 3.4,
        },
      ],
      throughput: [throughputRun(0, 'target', 40_000), throughputRun(1, 'control', 400_000)],
      network_events: [],
    },
  });
}

export function classified(measurement: Measurement): ClassifiedMeasurement {
  return {
    measurement,
    verdict: {
      measurement_id: measurement.id,
      status: 'blocked',
      layer: 'tls',
      method: 'sni-reset',
      confidence: 0.95,
      evidence: [
        'The TLS handshake with the target SNI was reset; the control SNI on the same address completed.',
      ],
      classifier_version: '0.1.0',
    },
    controls: 'healthy',
    received_at: measurement.end_time,
  };
}
