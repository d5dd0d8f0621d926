import type { RedisClient } from '@reachmap/queue';

const STREAM_ID = /^\d+-\d+$/;

/**
 * The SSE `id:` is the position in every partition's stream: with one partition (the default) it is
 * exactly the stream entry id; with several, their ids joined by `,`. A client echoes it back as
 * Last-Event-ID and resumes after it without gaps.
 */
export function formatCursor(positions: readonly string[]): string {
  return positions.join(',');
}

/** Stream ids are Redis's clock; one further ahead than this did not come from us. */
export const MAX_CURSOR_SKEW_MS = 5 * 60_000;

export type ParsedCursor =
  | { kind: 'absent' }
  | { kind: 'positions'; positions: string[] }
  | { kind: 'invalid'; reason: string };

/**
 * Positions from Last-Event-ID. Absent means "start now"; anything that is not one of our cursors is
 * invalid, so a client with a broken id learns it instead of silently missing or replaying events.
 */
export function parseCursor(text: string | undefined, partitions: number, now: number): ParsedCursor {
  if (text === undefined || text.trim() === '') return { kind: 'absent' };
  const parts = text.split(',').map((part) => part.trim());
  if (!parts.every((part) => STREAM_ID.test(part))) {
    return { kind: 'invalid', reason: 'expected an event id from this stream, such as 1764662400000-0' };
  }
  if (parts.some((part) => Number(part.split('-')[0]) > now + MAX_CURSOR_SKEW_MS)) {
    return { kind: 'invalid', reason: 'the event id lies in the future; it did not come from this stream' };
  }
  // A single id is a point in time, valid for every partition's stream.
  if (parts.length === 1)
    return { kind: 'positions', positions: Array.from({ length: partitions }, () => parts[0] ?? '0-0') };
  if (parts.length !== partitions) {
    return { kind: 'invalid', reason: `expected 1 or ${partitions} comma-separated event ids` };
  }
  return { kind: 'positions', positions: parts };
}

/** The id of each stream's newest entry: "from now on" as a concrete position, so no entry slips between reads. */
export async function currentPositions(redis: RedisClient, keys: readonly string[]): Promise<string[]> {
  return await Promise.all(
    keys.map(async (key) => {
      const [newest] = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
      return newest?.[0] ?? '0-0';
    }),
  );
}
