import type { Measurement, VerdictStatus } from '@reachmap/schema';
import { describeControl } from '../evidence.ts';
import { judgeOwnObservations } from './own-observations.ts';

/** `absent` when no usable control of that kind was measured in the round. */
export type ControlHealth = 'ok' | 'failed' | 'absent';

export interface JudgedControl {
  measurement: Measurement;
  status: VerdictStatus;
}

/** The round's controls, each judged on its own observations. */
export interface RoundControls {
  domestic: ControlHealth;
  foreign: ControlHealth;
  /** Usable controls (not `error`), in the order given. */
  judged: JudgedControl[];
}

function healthOf(
  judged: readonly JudgedControl[],
  kind: NonNullable<Measurement['target']['control']>,
): ControlHealth {
  const ofKind = judged.filter((control) => control.measurement.target.control === kind);
  if (ofKind.length === 0) return 'absent';
  return ofKind.some((control) => control.status === 'ok') ? 'ok' : 'failed';
}

/** Judges the round's controls; measurements that are not controls are ignored. */
export function assessControls(controls: readonly Measurement[]): RoundControls {
  const judged = controls
    .filter((control) => control.target.kind === 'control')
    .map((measurement) => ({ measurement, status: judgeOwnObservations(measurement).status }))
    .filter((control) => control.status !== 'error');
  return { domestic: healthOf(judged, 'domestic'), foreign: healthOf(judged, 'foreign'), judged };
}

export function healthyControls(controls: RoundControls): JudgedControl[] {
  return controls.judged.filter((control) => control.status === 'ok');
}

export function describeControls(controls: RoundControls): string[] {
  return controls.judged.map((control) => describeControl(control.measurement, control.status));
}
