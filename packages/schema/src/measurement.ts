import { z } from 'zod';
import { AgentId, MeasurementId, RoundId } from './ids.ts';
import { AgentNetwork } from './network.ts';
import { Observations, ScreenedObservations } from './observations.ts';
import { TargetId } from './target-id.ts';

export const SCHEMA_VERSION = 1;

/**
 * No measurement of any source is older than this: OONI's published measurements begin in 2012, and
 * the rollup's buckets and the UUIDv7 clock need a non-negative epoch time.
 */
export const EARLIEST_MEASUREMENT_TIME = Date.parse('2012-01-01T00:00:00Z');

/** A measurement round lasts minutes; a day is a broken clock or a forgery. */
export const MAX_MEASUREMENT_DURATION_MS = 86_400_000;

const MeasurementTime = z.iso
  .datetime({ offset: true })
  .refine((value) => Date.parse(value) >= EARLIEST_MEASUREMENT_TIME, {
    message: 'expected a time no earlier than 2012-01-01T00:00:00Z',
  });

const Slug = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'expected a lowercase name');
const Version = z.string().regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, 'expected a semantic version');

/** Where a measurement came from: our agents, an OONI import, or a simulated (demo/lab) network. */
export const MeasurementSource = z.enum(['agent', 'ooni', 'simulated']);
export type MeasurementSource = z.infer<typeof MeasurementSource>;

/** OONI's identifiers and its own verdict, kept on imported measurements for comparison. */
export const OoniProvenance = z.object({
  report_id: z.string().max(200),
  measurement_uid: z.string().max(100).nullable(),
  test_name: z.string().max(64),
  anomaly: z.boolean().nullable(),
  confirmed: z.boolean().nullable(),
  failure: z.boolean().nullable(),
  /** Citizen Lab category of the input as OONI's API lists it (e.g. NEWS); absent for archive files. */
  category_code: z.string().max(16).nullish(),
  /** OONI's blocking type (dns, tcp_ip, http-diff, http-failure) when it saw an anomaly. */
  blocking_type: z.string().max(32).nullish(),
});
export type OoniProvenance = z.infer<typeof OoniProvenance>;

export const TargetKind = z.enum(['service', 'control']);
export const ControlKind = z.enum(['domestic', 'foreign']);

/** Every field of a v1 measurement but its observations (which `MeasurementV1` and the screened form add). */
const measurementV1Fields = {
  id: MeasurementId,
  schema_version: z.literal(1),
  agent: z.object({
    id: AgentId,
    software: z.object({ name: Slug, version: Version }),
  }),
  network: AgentNetwork,
  source: z.object({
    kind: MeasurementSource,
    ooni: OoniProvenance.nullable().default(null),
  }),
  target: z.object({
    id: TargetId,
    kind: TargetKind,
    /** For controls: whether it stands for domestic or foreign reachability. */
    control: ControlKind.nullable(),
    /** What was measured: a URL, host or `ip:port`; null when the suite covers several. */
    input: z.string().max(2000).nullable(),
    catalogue_version: z.string().max(64),
  }),
  test: z.object({ name: Slug, version: Version }),
  round: z.object({
    id: RoundId,
    /** Ids of the control measurements taken in the same round, which judge this one. */
    controls: z.array(MeasurementId).max(50),
  }),
  start_time: MeasurementTime,
  end_time: MeasurementTime,
};

/** Rules across fields, which zod checks once every field is valid. */
function checkMeasurementV1(
  m: {
    start_time: string;
    end_time: string;
    source: { kind: string; ooni: unknown };
    target: { kind: string; control: unknown };
  },
  ctx: z.RefinementCtx,
): void {
  const duration = Date.parse(m.end_time) - Date.parse(m.start_time);
  if (duration < 0) {
    ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'end_time is before start_time' });
  } else if (duration > MAX_MEASUREMENT_DURATION_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['end_time'],
      message: 'end_time is more than a day after start_time',
    });
  }
  if ((m.source.kind === 'ooni') !== (m.source.ooni !== null)) {
    ctx.addIssue({
      code: 'custom',
      path: ['source', 'ooni'],
      message: 'source.ooni is required when source.kind is "ooni", and must be null otherwise',
    });
  }
  if ((m.target.kind === 'control') !== (m.target.control !== null)) {
    ctx.addIssue({
      code: 'custom',
      path: ['target', 'control'],
      message: 'target.control is required for control targets and must be null for services',
    });
  }
}

export const MeasurementV1 = z
  .object({ ...measurementV1Fields, observations: Observations })
  .superRefine(checkMeasurementV1);
export type MeasurementV1 = z.infer<typeof MeasurementV1>;

/**
 * A v1 measurement whose observation entries validateMeasurement has already parsed one by one; it
 * puts them back into the output. Not for other callers: it accepts any entries.
 */
export const ScreenedMeasurementV1 = z
  .object({ ...measurementV1Fields, observations: ScreenedObservations })
  .superRefine(checkMeasurementV1);

/**
 * Every accepted version, told apart by `schema_version`. A v2 joins this union with an upgrade
 * function to the internal form (docs/schema.md), so agents on v1 keep working during a roll-out.
 */
export const AnyMeasurement = z.discriminatedUnion('schema_version', [MeasurementV1]);
export type AnyMeasurement = z.infer<typeof AnyMeasurement>;

/** The form the pipeline works on; today the same as v1. */
export type Measurement = MeasurementV1;
