import type { RedisClient } from '@reachmap/queue';
import { EventType, ScopeEvent, ScopeKey } from '@reachmap/schema';
import { z } from 'zod';
import { storeKeys } from './keys.ts';
import type { StoreConfig } from './store-config.ts';

export const EventFilters = z.object({
  types: z.array(EventType).optional(),
  scope: ScopeKey.optional(),
  target: z.string().optional(),
  /** False leaves out events of simulated (lab) agents. */
  includeSimulated: z.boolean().default(true),
  /**
   * A scope and everything under it: `scope` itself, its regions (keys `<scope>-…`) and the given
   * ASNs (those seen in it, which the caller reads from the store's sets).
   */
  within: z.object({ scope: ScopeKey, asns: z.array(ScopeKey) }).optional(),
});
export type EventFilters = z.input<typeof EventFilters>;

/** Stream ids are `<ms>-<seq>`; this orders them across partitions. */
function compareStreamIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}

export interface StoredEvent {
  /** Stream id: pass the last one as the next `cursor`. */
  streamId: string;
  event: ScopeEvent;
}

export interface EventPage {
  events: StoredEvent[];
  /** Resume after this id; the request's cursor when nothing new arrived. */
  cursor: string;
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] === name) return fields[index + 1];
  }
  return undefined;
}

function matches(event: ScopeEvent, filters: z.infer<typeof EventFilters>): boolean {
  if (filters.types !== undefined && !filters.types.includes(event.type)) return false;
  if (filters.scope !== undefined && event.scope !== filters.scope) return false;
  if (filters.within !== undefined) {
    const { scope, asns } = filters.within;
    const inside = event.scope === scope || event.scope.startsWith(`${scope}-`) || asns.includes(event.scope);
    if (!inside) return false;
  }
  if (filters.target !== undefined && event.target !== filters.target) return false;
  return filters.includeSimulated || !event.simulated;
}

/**
 * Events after `cursor` (a stream id, `0` for the beginning), oldest first. Each partition has its own
 * stream; they are read from the same cursor and merged by id. Filtered events still advance the
 * cursor, so a page may hold fewer than `limit` events while more exist.
 */
export async function readEvents(
  redis: RedisClient,
  config: StoreConfig,
  request: { cursor?: string; limit: number; filters?: EventFilters },
): Promise<EventPage> {
  const filters = EventFilters.parse(request.filters ?? {});
  const cursor = request.cursor ?? '0';
  const start = cursor === '0' ? '-' : `(${cursor}`;
  const perPartition = await Promise.all(
    Array.from({ length: config.partitions }, (_, partition) =>
      redis.xrange(storeKeys(partition).events, start, '+', 'COUNT', request.limit),
    ),
  );
  const merged = perPartition
    .flat()
    .sort(([a], [b]) => compareStreamIds(a, b))
    .slice(0, request.limit);
  const events: StoredEvent[] = [];
  for (const [streamId, fields] of merged) {
    const event = ScopeEvent.parse(JSON.parse(fieldOf(fields, 'event') ?? 'null'));
    if (matches(event, filters)) events.push({ streamId, event });
  }
  return { events, cursor: merged.at(-1)?.[0] ?? cursor };
}

/**
 * The latest `limit` events that pass the filters, newest first, read backwards from every partition's
 * stream (at most `maxScanned` entries per partition, so a rare filter cannot scan a whole stream).
 */
export async function readLatestEvents(
  redis: RedisClient,
  config: StoreConfig,
  request: { limit: number; filters?: EventFilters; maxScanned?: number },
): Promise<StoredEvent[]> {
  const filters = EventFilters.parse(request.filters ?? {});
  const maxScanned = request.maxScanned ?? 10_000;
  const perPartition = await Promise.all(
    Array.from({ length: config.partitions }, async (_, partition) => {
      const found: StoredEvent[] = [];
      let end = '+';
      for (let scanned = 0; scanned < maxScanned && found.length < request.limit; ) {
        const count = Math.min(Math.max(request.limit * 4, 100), maxScanned - scanned);
        const entries = await redis.xrevrange(storeKeys(partition).events, end, '-', 'COUNT', count);
        for (const [streamId, fields] of entries) {
          const event = ScopeEvent.parse(JSON.parse(fieldOf(fields, 'event') ?? 'null'));
          if (matches(event, filters)) found.push({ streamId, event });
        }
        scanned += entries.length;
        const last = entries.at(-1)?.[0];
        if (entries.length < count || last === undefined) break;
        end = `(${last}`;
      }
      return found;
    }),
  );
  return perPartition
    .flat()
    .sort((a, b) => compareStreamIds(b.streamId, a.streamId))
    .slice(0, request.limit);
}
