import type { ThroughputRun } from '@reachmap/schema';
import {
  probeThroughput,
  type ThroughputContext,
  type ThroughputLimits,
  type ThroughputTarget,
} from './probe-throughput.ts';

/** docs/techniques.md judges stalls and throttling on "≥ 3 of 5 fresh connections". */
export const DEFAULT_SUITE_CONNECTIONS = 5;

/**
 * A connection that timed out before its transfer began (no samples: the connect or the handshake
 * hung) says the server is blackholed for this client. Four more would cost four more timeouts per
 * round and add nothing the TCP and TLS probes do not already record.
 */
function timedOutBeforeTransfer(run: ThroughputRun): boolean {
  return run.samples.length === 0 && run.failure === 'generic_timeout_error';
}

/**
 * Repeats one transfer over K fresh connections, one after another (parallel runs would share the
 * bottleneck and hide a per-flow policer). Stops early when the caller aborts or a connection timed
 * out before its transfer began.
 */
export async function probeThroughputSuite(
  target: ThroughputTarget,
  limits: ThroughputLimits,
  context: ThroughputContext & { connections?: number },
): Promise<ThroughputRun[]> {
  const runs: ThroughputRun[] = [];
  const connections = context.connections ?? DEFAULT_SUITE_CONNECTIONS;
  for (let connection = 0; connection < connections; connection += 1) {
    if (context.signal?.aborted) break;
    const run = await probeThroughput(target, limits, { ...context, connection });
    runs.push(run);
    if (timedOutBeforeTransfer(run)) break;
  }
  return runs;
}
