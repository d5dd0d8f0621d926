import {
  AgentId,
  ControlKind,
  Layer,
  MeasurementId,
  Method,
  NetworkType,
  QuicProbe,
  RegionCode,
  RoundId,
  TargetId,
  TargetKind,
  ThroughputRun,
  VerdictStatus,
} from '@reachmap/schema';
import { z } from 'zod';

/**
 * Extension keys reachmap adds to OONI's df-000 on export. OONI's own tools ignore unknown keys, and
 * OONI marks its experimental keys with an `x_` prefix too (`x_status`, `x_dns_runtime`), so ours follow
 * that convention. docs/ooni.md lists them.
 */
export const X_REACHMAP = 'x_reachmap';
export const X_REACHMAP_THROUGHPUT = 'x_reachmap_throughput';
export const X_REACHMAP_QUIC = 'x_reachmap_quic';

/** What a round trip through OONI's format needs and df-000 has no place for. */
export const ReachmapExtension = z.object({
  measurement_id: MeasurementId,
  agent_id: AgentId,
  round: z.object({ id: RoundId, controls: z.array(MeasurementId).max(50) }),
  target: z.object({
    id: TargetId,
    kind: TargetKind,
    control: ControlKind.nullable(),
    catalogue_version: z.string().max(64),
  }),
  network: z.object({ region: RegionCode.nullable(), network_type: NetworkType }),
  test_name: z.string().max(64),
  /** reachmap's verdict at export time; null when the measurement had not been classified. */
  verdict: z
    .object({
      status: VerdictStatus,
      layer: Layer.nullable(),
      method: Method.nullable(),
      confidence: z.number().min(0).max(1),
      classifier_version: z.string().max(32),
    })
    .nullable(),
});
export type ReachmapExtension = z.infer<typeof ReachmapExtension>;

export const ThroughputExtension = z.array(ThroughputRun).max(20);
export const QuicExtension = z.array(QuicProbe).max(50);

/** Response fields of our HTTP exchanges that df-001 cannot express (we keep no bodies). */
export const ResponseExtension = z.object({
  x_body_length: z.number().int().min(0).optional(),
  x_body_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable()
    .optional(),
  x_title: z.string().max(500).nullable().optional(),
  x_blockpage: z.string().max(100).nullable().optional(),
});
export type ResponseExtension = z.infer<typeof ResponseExtension>;
