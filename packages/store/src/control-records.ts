import type { RedisClient } from '@reachmap/queue';
import type { CountryCode } from '@reachmap/schema';
import type { ClassifiedMeasurement } from './classified-measurement.ts';
import { decodeControlRecord } from './control-record-codec.ts';
import { partitionOf, storeKeys } from './keys.ts';
import type { StoreConfig } from './store-config.ts';

/**
 * Control measurements of one country with their verdicts (one MGET), in the order of `ids`; null for
 * those not counted yet or older than `controlRecordTtlMs`. The aggregator classifies a round's
 * targets against them when they came in an earlier job.
 */
export async function readControlRecords(
  redis: RedisClient,
  config: StoreConfig,
  ids: readonly string[],
  country: CountryCode,
): Promise<(ClassifiedMeasurement | null)[]> {
  if (ids.length === 0) return [];
  const keys = storeKeys(partitionOf(country, config.partitions));
  const texts = await redis.mget(ids.map((id) => keys.controlRecord(id)));
  return texts.map((text) => (text === null ? null : decodeControlRecord(text)));
}
