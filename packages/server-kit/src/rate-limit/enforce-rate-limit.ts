import type { RedisClient } from '@reachmap/queue';
import { HttpError } from '../http/http-error.ts';
import { GCRA_LUA } from './gcra.lua.ts';

const COMMAND = 'reachmapGcra';

type WithGcra = RedisClient & {
  [COMMAND](key: string, intervalMs: number, burst: number): Promise<[number, number]>;
};

function withGcra(redis: RedisClient): WithGcra {
  // defineCommand loads the script once (EVALSHA, falling back to EVAL after a Redis restart).
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: GCRA_LUA });
  return redis as WithGcra;
}

export interface RateLimit {
  /** Requests allowed per window: the burst a quiet client may spend at once, and the sustained rate. */
  limit: number;
  windowMs: number;
}

/**
 * Counts a request against `counterKey`; throws 429 with Retry-After once the budget is spent. The
 * budget refills continuously (GCRA, `gcra.lua.ts`): `limit` requests at once, then one every
 * `windowMs / limit`, so no window edge ever lets twice the limit through.
 */
export async function enforceRateLimit(
  redis: RedisClient,
  counterKey: string,
  rate: RateLimit,
  who: string,
): Promise<void> {
  const intervalMs = rate.windowMs / rate.limit;
  const [allowed, retryAfterMs] = await withGcra(redis)[COMMAND](counterKey, intervalMs, rate.limit);
  if (allowed !== 1) {
    throw new HttpError(
      429,
      'rate_limited',
      `${who} is limited to ${rate.limit} requests per ${rate.windowMs / 1000} s; retry later`,
      { retryAfterS: retryAfterMs / 1000, details: { limit: rate.limit, window_s: rate.windowMs / 1000 } },
    );
  }
}
