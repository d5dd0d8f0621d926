import { countOutcomes } from '../outcome.ts';
import { describeControls, healthyControls } from './round-controls.ts';
import type { Finding, RuleContext } from './rule.ts';

/** No rule matched and the target got through: `ok`, backed by its successes and the healthy controls. */
export function okFinding({ measurement, controls }: RuleContext): Finding {
  const { succeeded, total } = countOutcomes(measurement.observations);
  return {
    status: 'ok',
    layer: null,
    method: null,
    evidence: [
      `${succeeded} of ${total} observations of the target succeeded`,
      ...describeControls(controls),
    ],
    support: { agreeing: succeeded, considered: total, corroborating: healthyControls(controls).length },
  };
}
