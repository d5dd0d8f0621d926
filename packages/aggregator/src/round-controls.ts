import { classifyMeasurement } from '@reachmap/classifier';
import type { RedisClient } from '@reachmap/queue';
import type { Measurement, Verdict } from '@reachmap/schema';
import { type ControlsHealth, readMeasurement, type StoreConfig } from '@reachmap/store';

export interface RoundControl {
  measurement: Measurement;
  verdict: Verdict;
}

/**
 * The controls a target's round lists: from the same job first, then the recent store (they may have
 * come in an earlier batch). `missing` are ids found in neither, perhaps still on their way.
 */
export async function findRoundControls(
  redis: RedisClient,
  store: StoreConfig,
  target: Measurement,
  inJob: ReadonlyMap<string, Measurement>,
): Promise<{ found: RoundControl[]; missing: string[] }> {
  const found: RoundControl[] = [];
  const missing: string[] = [];
  for (const id of target.round.controls) {
    const local = inJob.get(id);
    if (local !== undefined) {
      found.push({ measurement: local, verdict: classifyMeasurement({ measurement: local, controls: [] }) });
      continue;
    }
    const stored = await readMeasurement(redis, store, id, target.network.country);
    if (stored === null) missing.push(id);
    else found.push({ measurement: stored.measurement, verdict: stored.verdict });
  }
  return { found, missing };
}

/** Healthy when any control of the round got through (DOMAIN.md: network-down needs both to fail). */
export function controlsHealthOf(controls: readonly RoundControl[]): ControlsHealth {
  if (controls.length === 0) return 'none';
  return controls.some((control) => control.verdict.status === 'ok') ? 'healthy' : 'failed';
}
