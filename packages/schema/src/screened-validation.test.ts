import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MeasurementV1 } from './measurement.ts';
import { sampleMeasurement } from './testing.ts';
import { validateMeasurement } from './validation.ts';

/** A measurement with entries in every layer, as agents and the OONI import make them. */
function richMeasurement(): Record<string, unknown> {
  const base = sampleMeasurement();
  const certificate = {
    subject: 'CN=e1.whatsapp.net.lab',
    issuer: 'CN=reachmap lab CA',
    sans: ['e1.whatsapp.net.lab'],
    not_before: '2026-01-01T00:00:00.000Z',
    not_after: '2027-01-01T00:00:00.000Z',
    sha256: 'a'.repeat(64),
  };
  return {
    ...base,
    observations: {
      dns: [
        {
          resolver: { kind: 'udp', address: '198.18.0.53:53' },
          hostname: 'e1.whatsapp.net.lab',
          query_type: 'A',
          answers: [{ type: 'A', value: '198.18.0.10', ttl: 300 }],
          rcode: 'NOERROR',
          failure: null,
          t0: 0,
          t: 0.01,
        },
      ],
      tcp: [{ ip: '198.18.0.10', port: 443, failure: 'connection_reset', t0: 0.01, t: 0.02 }],
      tls: [
        {
          ip: '198.18.0.10',
          port: 443,
          sni: 'e1.whatsapp.net.lab',
          sni_role: 'target',
          alpn_offered: ['h2', 'http/1.1'],
          alpn_negotiated: 'h2',
          tls_version: 'TLSv1.3',
          cipher_suite: 'TLS_AES_128_GCM_SHA256',
          peer_certificates: [certificate],
          validation: { valid: true, failure: null },
          failure: null,
          t0: 0.02,
          t: 0.05,
        },
      ],
      http: [
        {
          hop: 0,
          request: { method: 'GET', url: 'https://web.whatsapp.com.lab/', headers: { accept: '*/*' } },
          response: {
            status: 200,
            headers: { 'content-type': 'text/html' },
            body_length: 1200,
            body_truncated: false,
            body_sha256: 'b'.repeat(64),
            title: 'WhatsApp',
            blockpage: null,
          },
          failure: null,
          t0: 0.05,
          t: 0.2,
        },
      ],
      quic: [
        {
          ip: '198.18.0.10',
          port: 443,
          sni: 'e1.whatsapp.net.lab',
          response: 'version_negotiation',
          failure: null,
          t0: 0,
          t: 0.03,
        },
      ],
      throughput: [
        {
          direction: 'download',
          connection: 0,
          ip: '198.18.0.20',
          port: 443,
          sni: 'rr1.googlevideo.com.lab',
          sni_role: 'target',
          samples: [
            [0.1, 16_384],
            [0.2, 65_536],
          ],
          bytes: 65_536,
          duration_s: 0.2,
          ttfb_s: 0.05,
          goodput_bps: 2_621_440,
          longest_stall_s: 0,
          bytes_before_stall: null,
          failure: null,
          t0: 0.3,
          t: 0.5,
        },
      ],
      network_events: [
        { operation: 'connect', address: '198.18.0.10:443', num_bytes: null, failure: null, t: 0.01 },
      ],
    },
  };
}

const hostileValue = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    2 ** 31,
    2 ** 53,
    1e308,
    Number.NaN,
    '',
    'XX',
    '__proto__',
    '1969-12-31T23:59:59Z',
  ),
  fc.constantFrom('x'.repeat(3000), [], {}, [1, 2], { extra: 1 }),
  fc.string(),
  fc.integer(),
  fc.double(),
);

/** Every path to a value in `value`, objects and arrays alike. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys: (string | number)[] = Array.isArray(value)
    ? value.map((_, index) => index)
    : Object.keys(value);
  return [
    prefix,
    ...keys.flatMap((key) => paths((value as Record<string | number, unknown>)[key], [...prefix, key])),
  ];
}

function withValueAt(root: unknown, path: (string | number)[], value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) {
    const next = parent[key];
    // An earlier mutation replaced a container with a plain value: nothing left to change below it.
    if (typeof next !== 'object' || next === null) return root;
    parent = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1] as string | number;
  if (remove && !Array.isArray(parent)) delete parent[last];
  else parent[last] = value;
  return copy;
}

describe('validateMeasurement parses each observation entry once', () => {
  const rich = richMeasurement();
  const allPaths = paths(rich).filter((path) => path.length > 0);

  it('accepts the rich measurement with exactly what the whole schema gives', () => {
    const reference = MeasurementV1.safeParse(rich);
    const validated = validateMeasurement(rich);
    expect(reference.success).toBe(true);
    expect(validated).toEqual({ ok: true, value: reference.data });
  });

  it('strips unknown keys of entries and of the item as the whole schema does', () => {
    const extended = structuredClone(rich) as { observations: { tcp: Record<string, unknown>[] } } & Record<
      string,
      unknown
    >;
    extended.extra = 'dropped';
    (extended.observations.tcp[0] as Record<string, unknown>).extra = 'dropped';
    const reference = MeasurementV1.safeParse(extended);
    expect(reference.success).toBe(true);
    expect(validateMeasurement(extended)).toEqual({ ok: true, value: reference.data });
    expect(JSON.stringify(validateMeasurement(extended))).not.toContain('dropped');
  });

  it('agrees with parsing the whole measurement on 3,000 mutated ones (seed printed on failure)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...allPaths), hostileValue, fc.boolean()), {
          minLength: 1,
          maxLength: 3,
        }),
        (mutations) => {
          let candidate: unknown = rich;
          for (const [path, value, remove] of mutations)
            candidate = withValueAt(candidate, path, value, remove);
          const reference = MeasurementV1.safeParse(candidate);
          const validated = validateMeasurement(candidate);
          expect(validated.ok).toBe(reference.success);
          if (validated.ok && reference.success) expect(validated.value).toEqual(reference.data);
        },
      ),
      { numRuns: 3000, seed: 20261202 },
    );
    // ~2 s alone; a loaded 2-core machine running other test files beside it takes several times that.
  }, 60_000);
});
