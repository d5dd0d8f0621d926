import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryDelayMs, WEBHOOK_RETRY_DELAYS_MS } from './retry-schedule.ts';

describe('the retry schedule', () => {
  it('is immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(WEBHOOK_RETRY_DELAYS_MS).toEqual([5e3, 3e5, 1.8e6, 7.2e6, 1.8e7, 3.6e7, 3.6e7]);
    expect(
      WEBHOOK_RETRY_DELAYS_MS.map((_, index) => retryDelayMs(WEBHOOK_RETRY_DELAYS_MS, index + 1, null)),
    ).toEqual(WEBHOOK_RETRY_DELAYS_MS);
  });

  it('waits longer when the receiver asks with Retry-After, never shorter', () => {
    expect(retryDelayMs(WEBHOOK_RETRY_DELAYS_MS, 1, 60_000)).toBe(60_000);
    expect(retryDelayMs(WEBHOOK_RETRY_DELAYS_MS, 2, 60_000)).toBe(300_000);
  });

  it('reads Retry-After as seconds or an HTTP date, capped at 10 h', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('999999', now)).toBe(36_000_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
