import type { RedisClient } from '@reachmap/queue';
import type { CountryCode, MeasurementSource, VerdictStatus } from '@reachmap/schema';
import { ClassifiedMeasurement } from './classified-measurement.ts';
import { partitionOf, storeKeys } from './keys.ts';
import type { StoreConfig } from './store-config.ts';

/**
 * A recent measurement with its verdict, or null once it aged out (48 h by default). Give the country
 * when known: the record lives in its country's partition; otherwise every partition is asked.
 */
export async function readMeasurement(
  redis: RedisClient,
  config: StoreConfig,
  id: string,
  country?: CountryCode,
): Promise<ClassifiedMeasurement | null> {
  const partitions =
    country === undefined
      ? Array.from({ length: config.partitions }, (_, partition) => partition)
      : [partitionOf(country, config.partitions)];
  for (const partition of partitions) {
    const text = await redis.get(storeKeys(partition).measurement(id));
    if (text !== null) return ClassifiedMeasurement.parse(JSON.parse(text));
  }
  return null;
}

/**
 * Several recent measurements of one country at once (one MGET), in the order of `ids`; null for
 * those that aged out or never came.
 */
export async function readMeasurements(
  redis: RedisClient,
  config: StoreConfig,
  ids: readonly string[],
  country: CountryCode,
): Promise<(ClassifiedMeasurement | null)[]> {
  if (ids.length === 0) return [];
  const keys = storeKeys(partitionOf(country, config.partitions));
  const texts = await redis.mget(ids.map((id) => keys.measurement(id)));
  return texts.map((text) => (text === null ? null : ClassifiedMeasurement.parse(JSON.parse(text))));
}

export interface RecentMeasurementFilters {
  country?: CountryCode;
  target?: string;
  agentId?: string;
  status?: VerdictStatus;
  sources?: MeasurementSource[];
  /** Only measurements that started before this epoch ms (paging backwards). */
  beforeMs?: number;
  limit: number;
}

function matches(record: ClassifiedMeasurement, filters: RecentMeasurementFilters): boolean {
  const { measurement, verdict } = record;
  if (filters.country !== undefined && measurement.network.country !== filters.country) return false;
  if (filters.target !== undefined && measurement.target.id !== filters.target) return false;
  if (filters.agentId !== undefined && measurement.agent.id !== filters.agentId) return false;
  if (filters.status !== undefined && verdict.status !== filters.status) return false;
  return filters.sources === undefined || filters.sources.includes(measurement.source.kind);
}

// Index entries are scanned in pages of this size while filters drop records.
const SCAN_PAGE = 200;

/** Recent measurements, newest first, from the time index of each partition, filtered by record. */
export async function listRecentMeasurements(
  redis: RedisClient,
  config: StoreConfig,
  filters: RecentMeasurementFilters,
): Promise<ClassifiedMeasurement[]> {
  const partitions =
    filters.country === undefined
      ? Array.from({ length: config.partitions }, (_, partition) => partition)
      : [partitionOf(filters.country, config.partitions)];
  const found: ClassifiedMeasurement[] = [];
  for (const partition of partitions) {
    const keys = storeKeys(partition);
    let max = filters.beforeMs === undefined ? '+inf' : `(${filters.beforeMs}`;
    let partitionFound = 0;
    while (partitionFound < filters.limit) {
      const page = await redis.zrevrangebyscore(
        keys.recentIndex,
        max,
        '-inf',
        'WITHSCORES',
        'LIMIT',
        0,
        SCAN_PAGE,
      );
      if (page.length === 0) break;
      const ids = page.filter((_, index) => index % 2 === 0);
      const texts = await Promise.all(ids.map((id) => redis.get(keys.measurement(id))));
      for (const text of texts) {
        if (text === null) continue;
        const record = ClassifiedMeasurement.parse(JSON.parse(text));
        if (matches(record, filters) && partitionFound < filters.limit) {
          found.push(record);
          partitionFound += 1;
        }
      }
      if (ids.length < SCAN_PAGE) break;
      max = `(${page.at(-1)}`;
    }
  }
  return found
    .sort((a, b) => Date.parse(b.measurement.start_time) - Date.parse(a.measurement.start_time))
    .slice(0, filters.limit);
}
