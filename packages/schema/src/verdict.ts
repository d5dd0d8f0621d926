import { z } from 'zod';
import { MeasurementId } from './ids.ts';
import { Layer } from './layers.ts';

/** What the classifier concludes about one measurement, judged against the controls of its round. */
export const VerdictStatus = z.enum([
  'ok',
  'blocked',
  'throttled',
  'stalled',
  'down',
  'error',
  'insufficient',
]);
export type VerdictStatus = z.infer<typeof VerdictStatus>;

export const Method = z.enum([
  'nxdomain',
  'servfail',
  'bogon',
  'dns-mismatch',
  'reset',
  'timeout',
  'refused',
  'unreachable',
  'sni-reset',
  'sni-timeout',
  'blockpage',
  'http-diff',
  'http-failure',
  'quic-blocked',
  'rate-cap',
  'stall',
  'allowlist',
  'outage',
]);
export type Method = z.infer<typeof Method>;

export const Verdict = z.object({
  measurement_id: MeasurementId,
  status: VerdictStatus,
  layer: Layer.nullable(),
  method: Method.nullable(),
  confidence: z.number().min(0).max(1),
  /** Short human-readable sentences naming the observations that decided the verdict. */
  evidence: z.array(z.string().max(500)).max(20),
  classifier_version: z.string().max(32),
});
export type Verdict = z.infer<typeof Verdict>;
