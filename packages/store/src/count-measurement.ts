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
 * Counts a classified measurement into rollups, evaluation windows, heartbeats and the recent store:
 * one Lua call per partition, each guarded by that partition's "counted" marker, so a retried job,
 * a duplicate batch or two racing workers never count it twice. After a crash between partitions a
 * retry completes the ones left.
 */
export async function countMeasurement(
  redis: RedisClient,
  classified: ClassifiedMeasurement,
  config: StoreConfig,
  now: number,
): Promise<CountResult> {
  const result: CountResult = { counted: 0, alreadyCounted: 0 };
  for (const plan of planCount(classified, config, now)) {
    const applied = await runScript(redis, 'rmApplyOnce', plan.keys, [
      String(config.countedMarkerTtlMs),
      JSON.stringify(plan.operations),
    ]);
    if (applied === 1) result.counted += 1;
    else result.alreadyCounted += 1;
  }
  return result;
}
