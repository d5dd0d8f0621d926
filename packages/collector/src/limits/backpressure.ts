import type { RedisClient } from '@reachmap/queue';
import { HttpError } from '@reachmap/server-kit';
import { type IngestQueue, ingestBacklog } from '../submission/ingest-queue.ts';

export interface BackpressureLimits {
  /** Waiting + delayed ingest jobs above which submissions are turned away. */
  maxQueueDepth: number;
  /** Fraction of Redis `maxmemory` above which submissions are turned away (ignored when maxmemory is 0). */
  maxMemoryRatio: number;
  /** What Retry-After tells agents; their spool keeps the measurements meanwhile. */
  retryAfterS: number;
}

function infoField(info: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  return match === null ? undefined : Number(match[1]);
}

/** `used_memory` and `maxmemory` (0: no limit) from `INFO memory`; what admission and the metrics read. */
export function redisMemoryOf(info: string): { used: number | undefined; max: number | undefined } {
  return { used: infoField(info, 'used_memory'), max: infoField(info, 'maxmemory') };
}

/**
 * Refuses a submission with 503 when the aggregator is behind or Redis is close to full. Redis runs
 * with `noeviction` (packages/queue/src/embedded-redis.ts), so at maxmemory every write fails: better
 * to push back while agents can still spool than to fail halfway through accepting a batch.
 */
export async function enforceBackpressure(
  redis: RedisClient,
  queue: IngestQueue,
  limits: BackpressureLimits,
): Promise<void> {
  const [backlog, memoryInfo] = await Promise.all([ingestBacklog(queue), redis.info('memory')]);
  if (backlog >= limits.maxQueueDepth) {
    throw new HttpError(503, 'backpressure', 'the ingest queue is full; keep the batch and retry later', {
      retryAfterS: limits.retryAfterS,
      details: { reason: 'queue_depth' },
    });
  }
  const { used, max } = redisMemoryOf(memoryInfo);
  if (used !== undefined && max !== undefined && max > 0 && used / max >= limits.maxMemoryRatio) {
    throw new HttpError(
      503,
      'backpressure',
      'the collector store is nearly full; keep the batch and retry later',
      {
        retryAfterS: limits.retryAfterS,
        details: { reason: 'redis_memory' },
      },
    );
  }
}
