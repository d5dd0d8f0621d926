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

/**
 * Bytes of Redis memory that counting a queued measurement adds, per byte the measurement takes in the
 * queue: the counted marker, window and heartbeat entries, and a control's record. Measured with a full
 * Redis in apps/bench/src/memory/admission-under-memory.test.ts while every measurement also left a
 * 1.8 KB record in Redis: with no reserve ~200 jobs were left stuck on OOM once the aggregator resumed,
 * with 0.8 some still were, with 1.5 every accepted measurement was counted. Those records now live in
 * the evidence store (docs/redis-keys.md), so 1.5 errs on the side of refusing early.
 */
export const COUNTING_BYTES_PER_QUEUED_BYTE = 1.5;

/** Waiting jobs whose size is sampled to estimate what the whole backlog holds. */
const SAMPLED_JOBS = 5;

/** Bytes the queued jobs hold, estimated from a few waiting jobs' MEMORY USAGE times the backlog. */
async function queuedBytes(redis: RedisClient, queue: IngestQueue, backlog: number): Promise<number> {
  const waitKey = queue.keys.wait;
  if (backlog === 0 || waitKey === undefined) return 0;
  const ids = await redis.lrange(waitKey, 0, SAMPLED_JOBS - 1);
  if (ids.length === 0) return 0;
  const sizes = await Promise.all(ids.map((id) => redis.memory('USAGE', queue.toKey(id), 'SAMPLES', 0)));
  const known = sizes.filter((size): size is number => typeof size === 'number');
  if (known.length === 0) return 0;
  return (known.reduce((sum, size) => sum + size, 0) / known.length) * backlog;
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
 * to push back while agents can still spool than to fail halfway through accepting a batch. "Full"
 * counts what counting the backlog will still need, so a resumed aggregator always has room: without
 * that reserve, jobs accepted up to the threshold failed with OOM until an operator raised maxmemory.
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
  if (used === undefined || max === undefined || max === 0) return;
  const reserve = (await queuedBytes(redis, queue, backlog)) * COUNTING_BYTES_PER_QUEUED_BYTE;
  if ((used + reserve) / max >= limits.maxMemoryRatio) {
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
