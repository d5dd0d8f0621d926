import { type Failure, type Measurement, UNKNOWN_FAILURE_PREFIX } from '@reachmap/schema';
import { countOutcomes, hasObservations } from '../outcome.ts';
import type { Finding } from './rule.ts';

/**
 * Failures that say something about the agent rather than the network: a cancelled operation, or an
 * error the agent could not map to OONI's taxonomy.
 */
function isAgentSide(failure: Failure): boolean {
  return failure === 'interrupted' || failure.startsWith(UNKNOWN_FAILURE_PREFIX);
}

function recordedFailures(measurement: Measurement): Failure[] {
  const { dns, tcp, tls, http, quic, throughput } = measurement.observations;
  return [...dns, ...tcp, ...tls, ...http, ...quic, ...throughput]
    .map((observation) => observation.failure)
    .filter((failure) => failure !== null);
}

/** `error` when there is nothing to judge: no observations, or only agent-side failures. */
export function unusableMeasurement(measurement: Measurement): Finding | null {
  if (!hasObservations(measurement.observations)) {
    return {
      status: 'error',
      layer: null,
      method: null,
      evidence: ['The measurement has no DNS, TCP, TLS, HTTP, QUIC or throughput observations'],
      support: null,
    };
  }
  const failures = recordedFailures(measurement);
  const nothingSucceeded = countOutcomes(measurement.observations).succeeded === 0;
  if (nothingSucceeded && failures.length > 0 && failures.every(isAgentSide)) {
    const distinct = [...new Set(failures)].slice(0, 3);
    return {
      status: 'error',
      layer: null,
      method: null,
      evidence: [`Every observation failed on the agent's side (${distinct.join('; ')})`],
      support: null,
    };
  }
  return null;
}
