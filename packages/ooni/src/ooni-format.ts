import { z } from 'zod';

/**
 * OONI's data formats as they appear in the wild (df-000-base and the df-001/002/005/006/008 entries
 * of test_keys). Loose on purpose: fields came and went across probe generations (MK, probe-engine,
 * probe-cli), so every entry field is optional and unknown keys are kept. Spec:
 * https://github.com/ooni/spec/tree/master/data-formats
 */

const Seconds = z.number().min(0);
const Timing = { t0: Seconds.nullish(), t: Seconds.nullish() };

export const OoniDnsAnswer = z.looseObject({
  answer_type: z.string(),
  ipv4: z.string().nullish(),
  ipv6: z.string().nullish(),
  hostname: z.string().nullish(),
  ttl: z.number().nullish(),
});

export const OoniDnsQuery = z.looseObject({
  engine: z.string().nullish(),
  resolver_address: z.string().nullish(),
  hostname: z.string(),
  query_type: z.string(),
  answers: z.array(OoniDnsAnswer).nullish(),
  failure: z.string().nullish(),
  /** The numeric DNS response code, in newer probe-cli versions only. */
  rcode: z.number().int().nullish(),
  ...Timing,
});
export type OoniDnsQuery = z.infer<typeof OoniDnsQuery>;

export const OoniTcpConnect = z.looseObject({
  ip: z.string(),
  port: z.number().int(),
  status: z.looseObject({
    success: z.boolean().nullish(),
    failure: z.string().nullish(),
    blocked: z.boolean().nullish(),
  }),
  ...Timing,
});
export type OoniTcpConnect = z.infer<typeof OoniTcpConnect>;

export const OoniBinaryData = z.looseObject({ format: z.literal('base64'), data: z.string() });
/** Bodies and header values are strings, or `{format: "base64", data}` when not valid UTF-8. */
export const OoniMaybeBinary = z.union([z.string(), OoniBinaryData]);
export type OoniMaybeBinary = z.infer<typeof OoniMaybeBinary>;

export const OoniTlsHandshake = z.looseObject({
  /** `ip:port`; missing in probe-engine before 3.10, when only `server_name` was recorded. */
  address: z.string().nullish(),
  server_name: z.string().nullish(),
  failure: z.string().nullish(),
  tls_version: z.string().nullish(),
  cipher_suite: z.string().nullish(),
  negotiated_protocol: z.string().nullish(),
  no_tls_verify: z.boolean().nullish(),
  peer_certificates: z.array(OoniBinaryData).nullish(),
  tags: z.array(z.string()).nullish(),
  ...Timing,
});
export type OoniTlsHandshake = z.infer<typeof OoniTlsHandshake>;

const OoniHeaders = z.record(z.string(), z.unknown());

export const OoniHttpTransaction = z.looseObject({
  failure: z.string().nullish(),
  request: z.looseObject({
    method: z.string().nullish(),
    url: z.string(),
    headers: OoniHeaders.nullish(),
  }),
  response: z
    .looseObject({
      code: z.number().int().nullish(),
      headers: OoniHeaders.nullish(),
      body: OoniMaybeBinary.nullish(),
      body_is_truncated: z.boolean().nullish(),
    })
    .nullish(),
  ...Timing,
});
export type OoniHttpTransaction = z.infer<typeof OoniHttpTransaction>;

export const OoniNetworkEvent = z.looseObject({
  operation: z.string(),
  address: z.string().nullish(),
  num_bytes: z.number().int().nullish(),
  failure: z.string().nullish(),
  t: Seconds,
});
export type OoniNetworkEvent = z.infer<typeof OoniNetworkEvent>;

/** df-000-base: the keys every OONI measurement carries, whatever its test. */
export const OoniMeasurement = z.looseObject({
  report_id: z.string().min(1),
  test_name: z.string().min(1),
  test_version: z.string().nullish(),
  input: z.string().nullish(),
  probe_cc: z.string(),
  probe_asn: z.string(),
  probe_network_name: z.string().nullish(),
  measurement_start_time: z.string(),
  test_runtime: z.number().nullish(),
  software_name: z.string().nullish(),
  software_version: z.string().nullish(),
  data_format_version: z.string().nullish(),
  test_keys: z.record(z.string(), z.unknown()).nullable(),
  annotations: z.unknown().optional(),
});
export type OoniMeasurement = z.infer<typeof OoniMeasurement>;

/** OONI's own verdict on one measurement, as its pipeline publishes it. */
export const OoniFlags = z.object({
  anomaly: z.boolean().nullable(),
  confirmed: z.boolean().nullable(),
  failure: z.boolean().nullable(),
});
export type OoniFlags = z.infer<typeof OoniFlags>;

/** The body of `GET /api/v1/measurement_meta?measurement_uid=…&full=true`. */
export const OoniMeasurementMeta = z.looseObject({
  measurement_uid: z.string().nullish(),
  report_id: z.string().nullish(),
  anomaly: z.boolean().nullish(),
  confirmed: z.boolean().nullish(),
  failure: z.boolean().nullish(),
  category_code: z.string().max(16).nullish(),
  /** fastpath's scores: a JSON string (or object) whose `analysis.blocking_type` names the layer. */
  scores: z.unknown().optional(),
  /** The df-000 measurement, as a JSON string (or already parsed by some clients). */
  raw_measurement: z.union([z.string(), z.record(z.string(), z.unknown())]),
});
export type OoniMeasurementMeta = z.infer<typeof OoniMeasurementMeta>;

/** A recorded HTTP response of OONI's API: `{status, contentType, body}`, body as text or parsed. */
export const RecordedApiResponse = z.looseObject({
  status: z.number().int(),
  contentType: z.string().nullish(),
  body: z.unknown(),
});
