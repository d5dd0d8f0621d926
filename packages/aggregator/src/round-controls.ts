import { classifyMeasurement } from '@reachmap/classifier';
import type { RedisClient } from '@reachmap/queue';
import type { Measurement, Verdict } from '@reachmap/schema';
import { type ControlsHealth, readControlRecords, type StoreConfig } from '@reachmap/store';

export interface RoundControl {
  measurement: Measurement;
  verdict: Verdict;
}

/**
 * Every control the job's targets list, found in the job itself or among the control records the
 * store keeps (they may have come in an earlier batch): one MGET per country of the job, not a round
 * trip per target. Controls of the job are classified once here, not once per target that lists them.
 */
export async function findJobControls(
  redis: RedisClient,
  store: StoreConfig,
  measurements: readonly Measurement[],
): Promise<Map<string, RoundControl>> {
  const known = new Map<string, RoundControl>();
  const inJob = new Map(measurements.map((measurement) => [measurement.id, measurement]));
  const wantedByCountry = new Map<string, Set<string>>();
  for (const target of measurements) {
    if (target.target.kind === 'control') continue;
    for (const id of target.round.controls) {
      if (known.has(id)) continue;
      const local = inJob.get(id);
      if (local !== undefined) {
        known.set(id, {
          measurement: local,
          verdict: classifyMeasurement({ measurement: local, controls: [] }),
        });
        continue;
      }
      const country = target.network.country;
      let wanted = wantedByCountry.get(country);
      if (wanted === undefined) {
        wanted = new Set();
        wantedByCountry.set(country, wanted);
      }
      wanted.add(id);
    }
  }
  for (const [country, ids] of wantedByCountry) {
    for (const stored of await readControlRecords(redis, store, [...ids], country)) {
      if (stored !== null) known.set(stored.measurement.id, stored);
    }
  }
  return known;
}

/** The controls a target's round lists, from those the job found; `missing` may still be on their way. */
export function roundControlsOf(
  target: Measurement,
  known: ReadonlyMap<string, RoundControl>,
): { found: RoundControl[]; missing: string[] } {
  const found: RoundControl[] = [];
  const missing: string[] = [];
  for (const id of target.round.controls) {
    const control = known.get(id);
    if (control === undefined) missing.push(id);
    else found.push(control);
  }
  return { found, missing };
}

/** Healthy when any control of the round got through (docs/techniques.md: network-down needs both to fail). */
export function controlsHealthOf(controls: readonly RoundControl[]): ControlsHealth {
  if (controls.length === 0) return 'none';
  return controls.some((control) => control.verdict.status === 'ok') ? 'healthy' : 'failed';
}
