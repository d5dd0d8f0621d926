import {
  type DnsQuery,
  type Failure,
  type HttpExchange,
  type Measurement,
  MeasurementV1,
  type Observations,
  type QuicProbe,
  type TcpConnect,
  type ThroughputRun,
  type TlsHandshake,
} from '@reachmap/schema';
import { emptyObservations, sampleMeasurement } from '@reachmap/schema/testing';
import { isBogon } from './bogon.ts';
import { parseIp } from './ip-address.ts';

function isBogonText(text: string): boolean {
  const address = parseIp(text);
  return address !== null && isBogon(address);
}

/**
 * Small builders for classifier tests: observations as an agent in the lab would record them
 * (addresses from 198.18.0.0/15). Every measurement is validated against the v1 schema, so a test
 * cannot pass on a shape real agents never send.
 */

export const TARGET_IP = '198.18.0.10';
export const TARGET_SNI = 'e1.whatsapp.net';
export const HARMLESS_SNI = 'example.org';

const NO_OBSERVATIONS = emptyObservations();

export function service(observations: Partial<Observations>, network?: Measurement['network']): Measurement {
  const base = sampleMeasurement();
  return MeasurementV1.parse({
    ...base,
    network: network ?? base.network,
    observations: { ...NO_OBSERVATIONS, ...observations },
  });
}

export function control(kind: 'domestic' | 'foreign', observations: Partial<Observations>): Measurement {
  const base = sampleMeasurement();
  return MeasurementV1.parse({
    ...base,
    target: { ...base.target, id: `control-${kind}`, kind: 'control', control: kind, input: null },
    observations: { ...NO_OBSERVATIONS, ...observations },
  });
}

export const DOMESTIC_IP = '198.18.1.10';
export const FOREIGN_IP = '198.19.1.10';

export function healthyControl(kind: 'domestic' | 'foreign'): Measurement {
  return control(kind, { tcp: [tcp(kind === 'domestic' ? DOMESTIC_IP : FOREIGN_IP)] });
}

export function failedControl(kind: 'domestic' | 'foreign'): Measurement {
  return control(kind, {
    tcp: [tcp(kind === 'domestic' ? DOMESTIC_IP : FOREIGN_IP, 'generic_timeout_error')],
  });
}

export const HEALTHY_CONTROLS = [healthyControl('domestic'), healthyControl('foreign')];

/** A failure takes the time it takes: resets arrive at once, timeouts after the agent's 10 s. */
function endOf(failure: Failure | null): number {
  return failure === 'generic_timeout_error' ? 10 : 0.02;
}

export function tcp(ip: string, failure: Failure | null = null, port = 443): TcpConnect {
  return { ip, port, failure, t0: 0, t: endOf(failure) };
}

export function tls(
  role: 'target' | 'control',
  failure: Failure | null = null,
  ip: string = TARGET_IP,
): TlsHandshake {
  return {
    ip,
    port: 443,
    sni: role === 'target' ? TARGET_SNI : HARMLESS_SNI,
    sni_role: role,
    alpn_offered: ['h2', 'http/1.1'],
    alpn_negotiated: failure === null ? 'h2' : null,
    tls_version: failure === null ? 'TLSv1.3' : null,
    cipher_suite: failure === null ? 'TLS_AES_128_GCM_SHA256' : null,
    peer_certificates: [],
    validation: { valid: failure === null, failure: null },
    failure,
    t0: 0,
    t: endOf(failure),
  };
}

/**
 * A query as the probe records it: a NOERROR answer carrying a bogon address is flagged
 * `dns_bogon_error` with its answers kept (`@reachmap/probes` failureForAnswers, after OONI's netxlite),
 * so a test cannot build a clean-looking 127.0.0.1 answer that no agent sends.
 */
export function dns(
  resolver: DnsQuery['resolver']['kind'],
  result: { ips: string[] } | { rcode: string | null; failure: Failure },
  hostname: string = TARGET_SNI,
): DnsQuery {
  const answered = 'ips' in result;
  const bogonAnswer = answered && result.ips.some((ip) => isBogonText(ip));
  return {
    resolver: { kind: resolver, address: resolver === 'doh' ? 'https://198.18.5.5/dns-query' : null },
    hostname,
    query_type: 'A',
    answers: answered ? result.ips.map((value) => ({ type: 'A' as const, value, ttl: 300 })) : [],
    rcode: answered ? 'NOERROR' : result.rcode,
    failure: answered ? (bogonAnswer ? 'dns_bogon_error' : null) : result.failure,
    t0: 0,
    t: 0.03,
  };
}

export function http(
  url: string,
  result:
    | { status: number; title: string | null; bodyLength: number; blockpage?: string }
    | { failure: Failure },
  hop = 0,
): HttpExchange {
  return {
    hop,
    request: { method: 'GET', url, headers: {} },
    response:
      'failure' in result
        ? null
        : {
            status: result.status,
            headers: {},
            body_length: result.bodyLength,
            body_truncated: false,
            body_sha256: null,
            title: result.title,
            blockpage: result.blockpage ?? null,
          },
    failure: 'failure' in result ? result.failure : null,
    t0: 0,
    t: 'failure' in result ? endOf(result.failure) : 0.2,
  };
}

export function quic(response: QuicProbe['response'], ip: string = TARGET_IP): QuicProbe {
  return {
    ip,
    port: 443,
    sni: TARGET_SNI,
    response,
    failure: response === null ? 'generic_timeout_error' : null,
    t0: 0,
    t: response === null ? 10 : 0.05,
  };
}

const SAMPLE_INTERVAL_S = 0.1;

export interface TransferShape {
  connection: number;
  role?: 'target' | 'control';
  direction?: 'download' | 'upload';
  /** Goodput of each second in bit/s, delivered evenly within the second. */
  perSecondBps: readonly number[];
  /** Nothing more arrives once this many bytes have (the "16 KB cap"). */
  stallAfterBytes?: number;
}

/** The probe's stall timeout (`DEFAULT_STALL_TIMEOUT_MS` of `@reachmap/probes`). */
const PROBE_STALL_TIMEOUT_S = 5;

/**
 * A transfer with samples every 100 ms, and the summary an agent would compute from them. As the probe
 * does, a transfer silent for the stall timeout ends there with `generic_timeout_error`.
 */
export function transfer(shape: TransferShape): ThroughputRun {
  const samples: [number, number][] = [[0, 0]];
  let bytes = 0;
  let lastChange: [number, number] = [0, 0];
  let longestStall = 0;
  let bytesBeforeStall: number | null = null;
  let timedOut = false;
  let end = 0;
  sampling: for (const [second, bps] of shape.perSecondBps.entries()) {
    for (let tick = 1; tick <= 1 / SAMPLE_INTERVAL_S; tick += 1) {
      bytes = Math.min(
        bytes + (bps / 8) * SAMPLE_INTERVAL_S,
        shape.stallAfterBytes ?? Number.POSITIVE_INFINITY,
      );
      const t = Number((second + tick * SAMPLE_INTERVAL_S).toFixed(1));
      const cumulative = Math.round(bytes);
      samples.push([t, cumulative]);
      end = t;
      if (cumulative !== lastChange[1]) lastChange = [t, cumulative];
      if (t - lastChange[0] > longestStall) {
        longestStall = t - lastChange[0];
        bytesBeforeStall = lastChange[1];
      }
      if (t - lastChange[0] >= PROBE_STALL_TIMEOUT_S) {
        timedOut = true;
        break sampling;
      }
    }
  }
  const total = Math.round(bytes);
  return {
    direction: shape.direction ?? 'download',
    connection: shape.connection,
    ip: TARGET_IP,
    port: 443,
    sni: shape.role === 'control' ? HARMLESS_SNI : TARGET_SNI,
    sni_role: shape.role ?? 'target',
    samples,
    bytes: total,
    duration_s: end,
    ttfb_s: 0.05,
    goodput_bps: (total * 8) / end,
    longest_stall_s: Number(longestStall.toFixed(1)),
    bytes_before_stall: bytesBeforeStall,
    failure: timedOut ? 'generic_timeout_error' : null,
    t0: 0,
    t: end,
  };
}

/** The same goodput every second, for `seconds` seconds. */
export function flat(bps: number, seconds = 10): number[] {
  return new Array<number>(seconds).fill(bps);
}

/** Five fresh connections shaped alike, numbered 0-4; `shapeOf` may vary one connection. */
export function fiveTransfers(
  shapeOf: (connection: number) => Omit<TransferShape, 'connection'>,
): ThroughputRun[] {
  return [0, 1, 2, 3, 4].map((connection) => transfer({ connection, ...shapeOf(connection) }));
}
