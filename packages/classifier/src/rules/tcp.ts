import { describeFailures } from '../evidence.ts';
import { prevalentMethod, TCP_METHODS, tcpFailureMethod } from '../failure-method.ts';
import { describeControls, healthyControls } from './round-controls.ts';
import type { Rule } from './rule.ts';

/**
 * TCP: every connect to the target failed while a foreign control in the same round connected
 * (docs/techniques.md; IP blackholes of Telegram's ranges, RST injection in RU 2022). The control must be a
 * foreign one: with only a domestic control working, a domestic-only allowlist looks the same.
 */
export const tcpRule: Rule = ({ measurement, controls }) => {
  const { tcp } = measurement.observations;
  if (tcp.length === 0 || tcp.some((connect) => connect.failure === null)) return null;
  if (controls.foreign !== 'ok') return null;
  const methods = tcp.map((connect) => tcpFailureMethod(connect.failure)).filter((method) => method !== null);
  return {
    status: 'blocked',
    layer: 'tcp',
    method: prevalentMethod(methods, TCP_METHODS),
    evidence: [...describeFailures(measurement.observations, 'tcp'), ...describeControls(controls)],
    support: {
      agreeing: tcp.length,
      considered: tcp.length,
      corroborating: healthyControls(controls).length,
    },
  };
};
