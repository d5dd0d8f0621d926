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

/** Positions from Last-Event-ID, or null when it is absent or not one of ours (then the stream starts now). */
export function parseCursor(text: string | undefined, partitions: number): string[] | null {
  if (text === undefined || text.trim() === '') return null;
  const parts = text.split(',').map((part) => part.trim());
  if (!parts.every((part) => STREAM_ID.test(part))) return null;
  // A single id is a point in time, valid for every partition's stream.
  if (parts.length === 1 && partitions > 1)
    return Array.from({ length: partitions }, () => parts[0] ?? '0-0');
  return parts.length === partitions ? parts : null;
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
