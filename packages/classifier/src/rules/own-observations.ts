import type { Measurement } from '@reachmap/schema';
import { describeFailures } from '../evidence.ts';
import { prevalentMethod, TCP_METHODS, tcpFailureMethod } from '../failure-method.ts';
import { countOutcomes, failingLayer, targetReached } from '../outcome.ts';
import type { Finding } from './rule.ts';
import { unusableMeasurement } from './unusable.ts';

/**
 * A measurement judged on its own observations, with nothing to compare against: `ok` when it got
 * through, `down` when it did not, `error` when unusable. This is how a control measurement is
 * classified, and how the controls of a round are counted as healthy or failed.
 */
export function judgeOwnObservations(measurement: Measurement): Finding {
  const unusable = unusableMeasurement(measurement);
  if (unusable !== null) return unusable;
  const { observations } = measurement;
  const { succeeded, total } = countOutcomes(observations);
  if (targetReached(observations)) {
    return {
      status: 'ok',
      layer: null,
      method: null,
      evidence: [`${succeeded} of ${total} observations succeeded`],
      support: { agreeing: succeeded, considered: total, corroborating: 0 },
    };
  }
  const layer = failingLayer(observations);
  const tcpMethods = observations.tcp
    .map((connect) => tcpFailureMethod(connect.failure))
    .filter((m) => m !== null);
  return {
    status: 'down',
    layer,
    method: layer === 'tcp' ? prevalentMethod(tcpMethods, TCP_METHODS) : null,
    evidence: describeFailures(observations, layer),
    support: { agreeing: total - succeeded, considered: total, corroborating: 0 },
  };
}
