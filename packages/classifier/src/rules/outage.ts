import { describeFailures } from '../evidence.ts';
import { countOutcomes, failingLayer, targetReached } from '../outcome.ts';
import { describeControls } from './round-controls.ts';
import type { Rule } from './rule.ts';

/**
 * When the target failed, the round's controls say whether the whole network is down (OONI: probe and
 * control both fail → "down", not blocked) or only foreign destinations are cut off (the mobile
 * allowlist seen in RU regions 2025-2026). With foreign controls failing and no domestic one to
 * compare, the two cannot be told apart.
 */
export const outageOrAllowlist: Rule = ({ measurement, controls }) => {
  const { observations } = measurement;
  if (targetReached(observations)) return null;
  const { domestic, foreign } = controls;
  const layer = failingLayer(observations);
  const { succeeded, total } = countOutcomes(observations);
  const failedControls = controls.judged.filter((control) => control.status !== 'ok').length;
  const evidence = [...describeFailures(observations, layer), ...describeControls(controls)];

  if (domestic === 'failed' && foreign !== 'ok') {
    return {
      status: 'down',
      layer: null,
      method: 'outage',
      evidence: [...evidence, 'Target and every control failed: the network is down, not censoring'],
      support: { agreeing: total - succeeded, considered: total, corroborating: failedControls },
    };
  }
  if (domestic === 'ok' && foreign === 'failed') {
    return {
      status: 'blocked',
      layer,
      method: 'allowlist',
      evidence: [...evidence, 'Domestic controls work while the target and foreign controls fail'],
      support: { agreeing: total - succeeded, considered: total, corroborating: controls.judged.length },
    };
  }
  if (domestic === 'absent' && foreign === 'failed') {
    return {
      status: 'insufficient',
      layer,
      method: null,
      evidence: [
        ...evidence,
        'Foreign controls failed and no domestic control was measured: allowlist or outage',
      ],
      support: null,
    };
  }
  return null;
};
