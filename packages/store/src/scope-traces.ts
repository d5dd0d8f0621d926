import type { RedisClient } from '@reachmap/queue';
import type { ScopeKey } from '@reachmap/schema';
import { partitionOf, storeKeys } from './keys.ts';
import type { TraceCarrier } from './state-store.ts';
import type { StoreConfig } from './store-config.ts';

/**
 * How many ingest traces a scope keeps: the newest becomes the parent of the event its evaluation emits,
 * the others span links. A handful names the causes without turning an event span into a fan-in of
 * every measurement of a window.
 */
export const SCOPE_TRACES_KEPT = 8;

/**
 * Remembers that the ingest span of `trace` counted measurements into `scopes`, so the window
 * evaluation that later emits an event (in whichever aggregator process) joins that trace. Written
 * only when tracing is on; the list expires with the windows it could explain.
 */
export async function recordScopeTrace(
  redis: RedisClient,
  config: StoreConfig,
  scopes: Iterable<ScopeKey>,
  trace: TraceCarrier,
  ttlMs: number,
): Promise<void> {
  if (trace.traceparent === undefined) return;
  const json = JSON.stringify(trace);
  // One transaction per key: the scopes of a job may sit in different Redis Cluster slots.
  await Promise.all(
    [...new Set(scopes)].map((scope) => {
      const key = storeKeys(partitionOf(scope, config.partitions)).scopeTraces(scope);
      return redis
        .multi()
        .lpush(key, json)
        .ltrim(key, 0, SCOPE_TRACES_KEPT - 1)
        .pexpire(key, ttlMs)
        .exec();
    }),
  );
}

/** The trace contexts of the ingests that last counted into `scope`, newest first; empty without tracing. */
export async function readScopeTraces(
  redis: RedisClient,
  config: StoreConfig,
  scope: ScopeKey,
): Promise<TraceCarrier[]> {
  const key = storeKeys(partitionOf(scope, config.partitions)).scopeTraces(scope);
  const entries = await redis.lrange(key, 0, SCOPE_TRACES_KEPT - 1);
  return entries.map((entry) => JSON.parse(entry) as TraceCarrier);
}
