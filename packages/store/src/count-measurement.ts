import type { RedisClient } from '@reachmap/queue';
import type { ClassifiedMeasurement } from './classified-measurement.ts';
import { type PartitionPlan, planCount } from './count-plan.ts';
import { runScript } from './scripts.ts';
import type { StoreConfig } from './store-config.ts';

/** Partitions that counted the measurement now, and those that had counted it before (a replay). */
export interface CountResult {
  counted: number;
  alreadyCounted: number;
}

/**
 * Measurements per Lua call: bounds the call's KEYS, its JSON plan and the members of each merged
 * command (see apply-once.lua), and how long one call holds Redis's single script thread (a call of
 * 500 bench measurements takes a few milliseconds).
 */
export const MEASUREMENTS_PER_CALL = 500;

/**
 * Counts classified measurements into rollups, evaluation windows, heartbeats and, for controls, the
 * records their rounds' later targets are classified against.
 * Their writes are merged in memory (`planCount`) and each partition's share goes to Redis in one Lua
 * call per 500 measurements, which adds their ids to the partition's "counted" sets in the same
 * atomic step, and writes nothing when any of them is in those sets already: the measurements are
 * then planned again without the ones counted before. So a retried job, a duplicate batch or two
 * racing workers never count a measurement twice, and after a crash between calls a retry completes
 * the ones left. Results are in input order; a measurement listed twice counts once.
 */
export async function countMeasurements(
  redis: RedisClient,
  measurements: readonly ClassifiedMeasurement[],
  config: StoreConfig,
  now: number,
): Promise<CountResult[]> {
  const results = measurements.map((): CountResult => ({ counted: 0, alreadyCounted: 0 }));
  const firstPosition = new Map<string, number>();
  const distinct: number[] = [];
  for (const [position, classified] of measurements.entries()) {
    if (firstPosition.has(classified.measurement.id)) continue;
    firstPosition.set(classified.measurement.id, position);
    distinct.push(position);
  }
  for (let start = 0; start < distinct.length; start += MEASUREMENTS_PER_CALL) {
    const chunk = distinct.slice(start, start + MEASUREMENTS_PER_CALL);
    const chunkMeasurements = chunk.map((position) => measurements[position] as ClassifiedMeasurement);
    for (const plan of planCount(chunkMeasurements, config, now)) {
      await applyPartition(redis, plan, chunkMeasurements, config, now, (index, outcome) => {
        const result = results[chunk[index] as number] as CountResult;
        result[outcome] += 1;
      });
    }
  }
  for (const [position, classified] of measurements.entries()) {
    const first = firstPosition.get(classified.measurement.id) as number;
    if (first === position) continue;
    const original = results[first] as CountResult;
    (results[position] as CountResult).alreadyCounted = original.counted + original.alreadyCounted;
  }
  return results;
}

/**
 * Applies one partition's plan; when the script finds ids counted before, plans that partition again
 * without them. Each round removes at least one measurement, so this ends.
 */
async function applyPartition(
  redis: RedisClient,
  first: PartitionPlan,
  measurements: readonly ClassifiedMeasurement[],
  config: StoreConfig,
  now: number,
  report: (index: number, outcome: keyof CountResult) => void,
): Promise<void> {
  let plan: PartitionPlan | undefined = first;
  let indices = first.positions;
  while (plan !== undefined) {
    const seen = (await runScript(redis, 'rmApplyOnce', plan.keys, [
      String(config.countedMarkerTtlMs),
      JSON.stringify(plan.markers),
      JSON.stringify(plan.operations),
      JSON.stringify(plan.upkeep),
    ])) as string[];
    if (seen.length === 0) {
      for (const index of indices) report(index, 'counted');
      return;
    }
    const before = new Set(seen);
    const left: number[] = [];
    for (const index of indices) {
      if (before.has((measurements[index] as ClassifiedMeasurement).measurement.id))
        report(index, 'alreadyCounted');
      else left.push(index);
    }
    const partition: number = plan.partition;
    plan = planCount(
      left.map((index) => measurements[index] as ClassifiedMeasurement),
      config,
      now,
    ).find((candidate) => candidate.partition === partition);
    // Positions of the new plan index into `left`; map them back to the chunk.
    indices = plan?.positions.map((position) => left[position] as number) ?? [];
  }
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
