import { describeFailures } from '../evidence.ts';
import { failingLayer, targetReached } from '../outcome.ts';
import { describeControls } from './round-controls.ts';
import type { Rule } from './rule.ts';

/**
 * The target failed and no rule's comparison explains it: without a working control nothing tells
 * censorship from an outage, and with one, nothing shows which interference it was (a TLS failure
 * with no harmless-SNI handshake to compare, say). OONI says "insufficient" here, never "ok".
 */
export const unexplainedFailureRule: Rule = ({ measurement, controls }) => {
  const { observations } = measurement;
  if (targetReached(observations)) return null;
  const layer = failingLayer(observations);
  const anyHealthy = controls.judged.some((control) => control.status === 'ok');
  const why = anyHealthy
    ? 'The target failed while controls worked, but no comparison in this measurement identifies the interference'
    : 'The target failed and no working control was measured: censorship and outage look the same';
  return {
    status: 'insufficient',
    layer,
    method: null,
    evidence: [...describeFailures(observations, layer), ...describeControls(controls), why],
    support: null,
  };
};
