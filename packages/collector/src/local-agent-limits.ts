import { CollectorConfig } from './collector-config.ts';
import type { CollectorLimits } from './routes/route-deps.ts';

const defaults = CollectorConfig.parse({});

/**
 * Limits for a collector that only local, trusted agents reach (the lab, the benchmarks, other
 * packages' tests): the production body caps, with rate limits and backpressure far out of the way so
 * they never shape what is being measured.
 */
export const LOCAL_AGENT_LIMITS: CollectorLimits = {
  maxWireBytes: defaults.COLLECTOR_MAX_BODY,
  maxDecodedBytes: defaults.COLLECTOR_MAX_DECODED_BODY,
  agentRequestsPerMinute: 100_000,
  enrolmentsPerMinutePerAddress: 10_000,
  backpressure: { maxQueueDepth: 1_000_000, maxMemoryRatio: 0.99, retryAfterS: 1 },
};
