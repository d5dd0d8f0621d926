import { z } from 'zod';
import type { AgentId } from './ids.ts';
import type { Measurement } from './measurement.ts';
import { MAX_COUNT } from './observations.ts';

export const MAX_BATCH_MEASUREMENTS = 500;

/**
 * What an agent POSTs to /v1/measurements. Items stay `unknown` here: each is validated on its own
 * so one bad measurement cannot sink its batch.
 */
export const SubmissionBatch = z.object({
  measurements: z.array(z.unknown()).min(1).max(MAX_BATCH_MEASUREMENTS),
  /**
   * The agent's signature of each measurement, in the same order (`signMeasurement` of
   * `@reachmap/agent-auth`), so one measurement can be verified without its batch. Optional: older
   * agents send none, and their measurements are simply unsigned in evidence bundles.
   */
  signatures: z.array(z.string().max(200)).max(MAX_BATCH_MEASUREMENTS).optional(),
  /** Measurements the agent's full spool had to drop since its last report, so losses are visible. */
  spool_dropped: z
    .object({ count: z.number().int().min(0).max(MAX_COUNT), since: z.iso.datetime({ offset: true }) })
    .optional(),
});
export type SubmissionBatch = z.infer<typeof SubmissionBatch>;

/** One BullMQ job per accepted batch: the collector's output and the aggregator's input. */
export interface IngestJobData {
  batch_id: string;
  agent_id: AgentId;
  received_at: string;
  measurements: Measurement[];
  /**
   * The agent's signature of each measurement, by measurement id, checked for form by the collector
   * (which verifies the batch's first): the aggregator keeps it beside the measurement in the evidence
   * store, and an evidence bundle verifies it before showing it.
   */
  signatures?: Record<string, string>;
  /** W3C trace context of the submit request, so the aggregator's spans join the same trace. */
  trace: Record<string, string>;
}
