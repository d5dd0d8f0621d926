import { z } from 'zod';
import { Failure } from './failure.ts';
import { OBSERVATION_KEYS, type ObservationKey } from './layer-names.ts';

/**
 * Observations of each layer, close to OONI's data formats (df-002-dnst, df-005-tcpconnect,
 * df-006-tlshandshake, df-001-httpt, df-008-netevents). `t0` and `t` are seconds since the
 * measurement started, from a monotonic clock.
 */
const Seconds = z.number().min(0).max(86_400);
const Timing = { t0: Seconds, t: Seconds };
const Ip = z.union([z.ipv4(), z.ipv6()]);
const Port = z.number().int().min(1).max(65_535);
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256');
/** Counts become Redis integers and JS numbers downstream; 2^31 - 1 keeps every sum of them exact. */
export const MAX_COUNT = 2 ** 31 - 1;
const Count = z.number().int().min(0).max(MAX_COUNT);
/** Bytes moved in one measurement: 1 TiB is far beyond any run the agent makes, and stays exact. */
const ByteCount = z
  .number()
  .int()
  .min(0)
  .max(2 ** 40);

export const DnsResolverKind = z.enum(['system', 'udp', 'tcp', 'doh']);
export const DnsRecordType = z.enum(['A', 'AAAA', 'CNAME']);

export const DnsAnswer = z.object({
  type: DnsRecordType,
  value: z.string().max(255),
  ttl: Count.nullable(),
});

export const DnsQuery = z.object({
  resolver: z.object({
    kind: DnsResolverKind,
    /** `ip:port` for udp/tcp, the URL for doh, null for the system resolver. */
    address: z.string().max(500).nullable(),
  }),
  hostname: z.string().min(1).max(253),
  query_type: DnsRecordType,
  answers: z.array(DnsAnswer).max(100),
  /** DNS response code (NOERROR, NXDOMAIN, SERVFAIL, REFUSED...); null when no response arrived. */
  rcode: z.string().max(16).nullable(),
  failure: Failure.nullable(),
  ...Timing,
});
export type DnsQuery = z.infer<typeof DnsQuery>;

export const TcpConnect = z.object({
  ip: Ip,
  port: Port,
  failure: Failure.nullable(),
  ...Timing,
});
export type TcpConnect = z.infer<typeof TcpConnect>;

export const CertificateSummary = z.object({
  subject: z.string().max(1000),
  issuer: z.string().max(1000),
  sans: z.array(z.string().max(255)).max(200),
  not_before: z.iso.datetime(),
  not_after: z.iso.datetime(),
  sha256: Sha256Hex,
});
export type CertificateSummary = z.infer<typeof CertificateSummary>;

export const TlsHandshake = z.object({
  ip: Ip,
  port: Port,
  /** The SNI sent; may differ from the certificate (a harmless control SNI against the same IP). */
  sni: z.string().max(253).nullable(),
  /** `target` when the SNI is the target's, `control` when it is a harmless one on the same address. */
  sni_role: z.enum(['target', 'control']),
  alpn_offered: z.array(z.string().max(32)).max(10),
  alpn_negotiated: z.string().max(32).nullable(),
  tls_version: z.string().max(16).nullable(),
  cipher_suite: z.string().max(100).nullable(),
  peer_certificates: z.array(CertificateSummary).max(10),
  /** Whether the chain validates for the SNI; recorded, never fatal to the handshake. */
  validation: z.object({ valid: z.boolean(), failure: Failure.nullable() }),
  failure: Failure.nullable(),
  ...Timing,
});
export type TlsHandshake = z.infer<typeof TlsHandshake>;

export const HttpExchange = z.object({
  /** 0 for the first request, then one more per redirect hop followed. */
  hop: z.number().int().min(0).max(20),
  request: z.object({
    method: z.enum(['GET', 'POST', 'HEAD']),
    url: z.url().max(2000),
    headers: z.record(z.string().max(64), z.string().max(1000)),
  }),
  response: z
    .object({
      status: z.number().int().min(100).max(599),
      headers: z.record(z.string().max(64), z.string().max(2000)),
      body_length: Count,
      body_truncated: z.boolean(),
      body_sha256: Sha256Hex.nullable(),
      title: z.string().max(500).nullable(),
      /** Id of the matched national blockpage fingerprint, null when none matched. */
      blockpage: z.string().max(100).nullable(),
    })
    .nullable(),
  failure: Failure.nullable(),
  ...Timing,
});
export type HttpExchange = z.infer<typeof HttpExchange>;

export const QuicProbe = z.object({
  ip: Ip,
  port: Port,
  sni: z.string().max(253),
  /** What came back for our QUIC v1 Initial; null when nothing did before the timeout. */
  response: z.enum(['version_negotiation', 'initial', 'retry', 'other']).nullable(),
  failure: Failure.nullable(),
  ...Timing,
});
export type QuicProbe = z.infer<typeof QuicProbe>;

/** One cumulative-bytes sample of a transfer, taken at least every 100 ms. */
export const ThroughputSample = z.tuple([Seconds, ByteCount]);

/** 200 s of 100 ms samples per run; the agent's runs last 10 s by default. */
export const MAX_SAMPLES_PER_RUN = 2_000;
/** Samples of all runs of one measurement, so 20 runs cannot multiply the per-run cap. */
export const MAX_SAMPLES_PER_MEASUREMENT = 10_000;

export const ThroughputRun = z.object({
  direction: z.enum(['download', 'upload']),
  /** Fresh connection number within the suite (0..K-1). */
  connection: z.number().int().min(0).max(100),
  ip: Ip,
  port: Port,
  sni: z.string().max(253).nullable(),
  sni_role: z.enum(['target', 'control']),
  /** [seconds since transfer start, cumulative bytes] pairs. */
  samples: z.array(ThroughputSample).max(MAX_SAMPLES_PER_RUN),
  bytes: ByteCount,
  duration_s: Seconds,
  ttfb_s: Seconds.nullable(),
  /** Up to 1 Tbit/s. */
  goodput_bps: z.number().min(0).max(1e12),
  longest_stall_s: Seconds,
  /** Bytes received when the longest stall began; how far a "stall after N KB" censor let us get. */
  bytes_before_stall: ByteCount.nullable(),
  failure: Failure.nullable(),
  ...Timing,
});
export type ThroughputRun = z.infer<typeof ThroughputRun>;

export const NetworkEvent = z.object({
  operation: z.enum(['connect', 'tls_handshake_start', 'tls_handshake_done', 'read', 'write', 'close']),
  address: z.string().max(300).nullable(),
  num_bytes: ByteCount.nullable(),
  failure: Failure.nullable(),
  t: Seconds,
});
export type NetworkEvent = z.infer<typeof NetworkEvent>;

/** Each observation key: the schema of one entry and how many entries one measurement may hold. */
export const OBSERVATION_LAYERS = {
  dns: { entry: DnsQuery, max: 200 },
  tcp: { entry: TcpConnect, max: 200 },
  tls: { entry: TlsHandshake, max: 100 },
  http: { entry: HttpExchange, max: 50 },
  quic: { entry: QuicProbe, max: 50 },
  throughput: { entry: ThroughputRun, max: 20 },
  network_events: { entry: NetworkEvent, max: 2000 },
} as const satisfies Record<ObservationKey, { entry: z.ZodType; max: number }>;

type EntrySchema<K extends ObservationKey> = (typeof OBSERVATION_LAYERS)[K]['entry'];

const layer = <K extends ObservationKey>(key: K) =>
  z
    .array(OBSERVATION_LAYERS[key].entry as EntrySchema<K>)
    .max(OBSERVATION_LAYERS[key].max)
    .default([]);

/** One array per observation key, built from the registry so that no key can be left out. */
function layerShape(): { [K in ObservationKey]: ReturnType<typeof layer<K>> } {
  return Object.fromEntries(OBSERVATION_KEYS.map((key) => [key, layer(key)])) as {
    [K in ObservationKey]: ReturnType<typeof layer<K>>;
  };
}

/** At most MAX_SAMPLES_PER_MEASUREMENT throughput samples over all of a measurement's runs. */
function checkSampleTotal(runs: readonly unknown[], ctx: z.RefinementCtx): void {
  // Only called on runs that are well-formed (parsed, or screened one by one by validateMeasurement).
  const samples = runs.reduce<number>((sum, run) => sum + (run as ThroughputRun).samples.length, 0);
  if (samples > MAX_SAMPLES_PER_MEASUREMENT) {
    ctx.addIssue({
      code: 'custom',
      path: ['throughput'],
      message: `${samples} throughput samples in one measurement; at most ${MAX_SAMPLES_PER_MEASUREMENT}`,
    });
  }
}

export const Observations = z
  .object(layerShape())
  .superRefine((observations, ctx) => checkSampleTotal(observations.throughput, ctx));
export type Observations = z.infer<typeof Observations>;

const screenedLayer = <K extends ObservationKey>(key: K) =>
  z.array(z.unknown()).max(OBSERVATION_LAYERS[key].max).default([]);

/**
 * `Observations` for entries that were already parsed one by one (validateMeasurement's screen): the
 * same object, counts, defaults and sample total, without parsing every entry a second time. Parsing
 * entries inside the whole measurement cost ~4x parsing them alone, and the screen does that anyway.
 */
export const ScreenedObservations = z
  .object(
    Object.fromEntries(OBSERVATION_KEYS.map((key) => [key, screenedLayer(key)])) as {
      [K in ObservationKey]: ReturnType<typeof screenedLayer<K>>;
    },
  )
  .superRefine((observations, ctx) => checkSampleTotal(observations.throughput, ctx));
