import {
  type Failure,
  LAYER_TITLES,
  LAYERS,
  type Measurement,
  UNKNOWN_FAILURE_PREFIX,
} from '@reachmap/schema';
import { describeFailures } from '../evidence.ts';
import {
  countOutcomes,
  hasObservations,
  LAYER_OUTCOMES,
  noneSucceeded,
  targetObservations,
} from '../outcome.ts';
import type { Finding } from './rule.ts';

/**
 * Failures that say something about the agent rather than the network: a cancelled operation, or an
 * error the agent could not map to OONI's taxonomy.
 */
function isAgentSide(failure: Failure): boolean {
  return failure === 'interrupted' || failure.startsWith(UNKNOWN_FAILURE_PREFIX);
}

function recordedFailures(measurement: Measurement): Failure[] {
  return LAYERS.flatMap((layer) => {
    const entries: readonly { failure: Failure | null }[] = measurement.observations[layer];
    return entries.map((entry) => entry.failure);
  }).filter((failure) => failure !== null);
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

/**
 * `error` instead of `ok` when a layer the target was measured at has no result at all: every one of
 * its observations was cut on the agent's side (the round's deadline, the agent's shutdown). What the
 * other layers show cannot stand for it: in the lab, rounds overrunning their interval on 2 Mbit/s lines
 * cut every TLS handshake before the silent drop's timeout, an answered QUIC probe made the target look
 * reached, and the SNI drop was mapped `accessible` (docs/lab.md, fuzz world 9018756). Only consulted
 * when no rule found interference, so a block seen at another layer still stands.
 */
export function incompleteMeasurement(measurement: Measurement): Finding | null {
  const target = targetObservations(measurement.observations);
  for (const layer of LAYERS) {
    const outcomes = LAYER_OUTCOMES[layer](target);
    if (!noneSucceeded(outcomes)) continue;
    const failures = outcomes.map((outcome) => outcome.failure);
    if (!failures.every((failure) => failure !== null && isAgentSide(failure))) continue;
    const distinct = [...new Set(failures)].slice(0, 3);
    return {
      status: 'error',
      layer,
      method: null,
      evidence: [
        `Every ${LAYER_TITLES[layer]} observation of the target was cut on the agent's side (${distinct.join('; ')}): the measurement is incomplete and cannot show the target reachable`,
        ...describeFailures(measurement.observations, layer),
      ],
      support: null,
    };
  }
  return null;
}
