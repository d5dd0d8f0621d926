import { ScopeEvent } from '@reachmap/schema';
import { storeKeys } from '@reachmap/store';

/** The aggregator appends events to one stream per partition (docs/redis-keys.md: `{rm:pN}:events`). */
export function eventStreamKeys(partitions: number): string[] {
  return Array.from({ length: partitions }, (_, partition) => storeKeys(partition).events);
}

/** A stream entry's `event` field holds the whole ScopeEvent as JSON; the other fields are for XRANGE scans. */
export function eventOfEntry(fields: readonly string[]): ScopeEvent | null {
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] !== 'event') continue;
    const parsed = ScopeEvent.safeParse(JSON.parse(fields[index + 1] ?? 'null'));
    return parsed.success ? parsed.data : null;
  }
  return null;
}

/** Stream ids are `<ms>-<seq>`; this orders them, within and across partitions. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}
