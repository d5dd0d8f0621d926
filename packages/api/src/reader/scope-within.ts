import type { RedisClient } from '@reachmap/queue';
import { type ScopeKey, scopeLevelOf } from '@reachmap/schema';
import { partitionOf, type StoreConfig, storeKeys } from '@reachmap/store';

/**
 * A scope and everything under it, for the events filter `within`: a country covers its regions (by key)
 * and the ASNs seen in it, a region the ASNs seen in it, an ASN only itself.
 */
export async function scopeWithin(
  redis: RedisClient,
  config: StoreConfig,
  scope: ScopeKey,
): Promise<{ scope: ScopeKey; asns: ScopeKey[] }> {
  const level = scopeLevelOf(scope);
  if (level === 'asn') return { scope, asns: [] };
  const keys = storeKeys(partitionOf(scope, config.partitions));
  const asns = await redis.smembers(level === 'country' ? keys.countryAsns(scope) : keys.regionAsns(scope));
  return { scope, asns };
}
