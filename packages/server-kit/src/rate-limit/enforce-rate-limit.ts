import { readFileSync } from 'node:fs';
import type { RedisClient } from '@reachmap/queue';
import { HttpError } from '../http/http-error.ts';

const FIXED_WINDOW_SCRIPT = readFileSync(new URL('./fixed-window.lua', import.meta.url), 'utf8');
const COMMAND = 'reachmapFixedWindow';

type WithFixedWindow = RedisClient & {
  [COMMAND](key: string, windowMs: number): Promise<[number, number]>;
};

function withFixedWindow(redis: RedisClient): WithFixedWindow {
  // defineCommand loads the script once (EVALSHA, falling back to EVAL after a Redis restart).
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: FIXED_WINDOW_SCRIPT });
  return redis as WithFixedWindow;
}

export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

/** Counts a request against `counterKey`; throws 429 with Retry-After once the window's budget is spent. */
export async function enforceRateLimit(
  redis: RedisClient,
  counterKey: string,
  rate: RateLimit,
  who: string,
): Promise<void> {
  const [count, remainingMs] = await withFixedWindow(redis)[COMMAND](counterKey, rate.windowMs);
  if (count > rate.limit) {
    throw new HttpError(
      429,
      'rate_limited',
      `${who} is limited to ${rate.limit} requests per ${rate.windowMs / 1000} s; retry later`,
      { retryAfterS: remainingMs / 1000, details: { limit: rate.limit, window_s: rate.windowMs / 1000 } },
    );
  }
}
