import type { RedisClient } from '@reachmap/queue';
import type { ClassifiedMeasurement } from './classified-measurement.ts';
import { planCount } from './count-plan.ts';
import { runScript } from './scripts.ts';
import type { StoreConfig } from './store-config.ts';

/** Partitions that counted the measurement now, and those that had counted it before (a replay). */
export interface CountResult {
  counted: number;
  alreadyCounted: number;
}

/**
 * Measurements per Lua call: bounds the call's KEYS, its JSON plan and the members of each merged
 * command (see apply-once.lua), and how long one call holds Redis's single script thread.
 */
const MEASUREMENTS_PER_CALL = 100;

/**
 * Counts classified measurements into rollups, evaluation windows, heartbeats and the recent store:
 * one Lua call per partition for every 100 measurements, in which each measurement is guarded by that
 * partition's "counted" marker, so a retried job, a duplicate batch or two racing workers never count
 * it twice. After a crash between calls a retry completes the ones left. Results are in input order.
 */
export async function countMeasurements(
  redis: RedisClient,
  measurements: readonly ClassifiedMeasurement[],
  config: StoreConfig,
  now: number,
): Promise<CountResult[]> {
  const results = measurements.map((): CountResult => ({ counted: 0, alreadyCounted: 0 }));
  for (let start = 0; start < measurements.length; start += MEASUREMENTS_PER_CALL) {
    const chunk = measurements.slice(start, start + MEASUREMENTS_PER_CALL);
    for (const plan of planCount(chunk, config, now)) {
      const applied = (await runScript(redis, 'rmApplyOnce', plan.keys, [
        String(config.countedMarkerTtlMs),
        JSON.stringify(plan.operations),
        JSON.stringify(plan.measurements),
        JSON.stringify(plan.upkeep),
      ])) as number[];
      for (const [i, position] of plan.positions.entries()) {
        const result = results[start + position] as CountResult;
        if (applied[i] === 1) result.counted += 1;
        else result.alreadyCounted += 1;
      }
    }
  }
  return results;
}

/** Counts one classified measurement; see `countMeasurements`. */
export async function countMeasurement(
  redis: RedisClient,
  classified: ClassifiedMeasurement,
  config: StoreConfig,
  now: number,
): Promise<CountResult> {
  const [result] = await countMeasurements(redis, [classified], config, now);
  return result as CountResult;
}
