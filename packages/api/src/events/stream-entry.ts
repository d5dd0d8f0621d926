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

/**
 * The W3C trace context the aggregator stored with the event (`trace` field, JSON), for the webhook
 * deliveries to join its trace; empty when it traced nothing or the field is missing or malformed.
 */
export function traceOfEntry(fields: readonly string[]): Record<string, string> {
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] !== 'trace') continue;
    try {
      const parsed: unknown = JSON.parse(fields[index + 1] ?? '{}');
      if (typeof parsed !== 'object' || parsed === null) return {};
      return Object.fromEntries(
        Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
    } catch {
      return {};
    }
  }
  return {};
}

/** Stream ids are `<ms>-<seq>`; this orders them, within and across partitions. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}
