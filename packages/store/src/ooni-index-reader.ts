import type { RedisClient } from '@reachmap/queue';
import { storeKeys } from './keys.ts';
import { decodeOoniIndexField, type OoniIndexEntry } from './ooni-index.ts';
import type { StoreConfig } from './store-config.ts';

export interface OoniIndexCount {
  /** The bucket id (`1h-…` or `1d-…`) the count belongs to. */
  bucket: string;
  entry: OoniIndexEntry;
  count: number;
}

/** How many hash reads `readOoniIndex` makes for these buckets: the aggregation API's cost measure. */
export function ooniIndexReads(config: StoreConfig, buckets: readonly string[]): number {
  return buckets.length * config.partitions;
}

/** Every count of the OONI index in the given buckets, from every partition, in one pipeline. */
export async function readOoniIndex(
  redis: RedisClient,
  config: StoreConfig,
  buckets: readonly string[],
): Promise<OoniIndexCount[]> {
  const pipeline = redis.pipeline();
  const order: string[] = [];
  for (let partition = 0; partition < config.partitions; partition += 1) {
    for (const bucket of buckets) {
      pipeline.hgetall(storeKeys(partition).ooniIndex(bucket));
      order.push(bucket);
    }
  }
  const results = (await pipeline.exec()) ?? [];
  const counts: OoniIndexCount[] = [];
  for (const [index, [error, hash]] of results.entries()) {
    if (error) throw error;
    const bucket = order[index] as string;
    for (const [field, value] of Object.entries(hash as Record<string, string>)) {
      const entry = decodeOoniIndexField(field);
      if (entry !== null) counts.push({ bucket, entry, count: Number(value) });
    }
  }
  return counts;
}
