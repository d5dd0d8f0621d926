/**
 * Delays before each retry after the first, immediate attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
 * (8 attempts over ~27.6 h), the schedule Svix and the Standard Webhooks ecosystem use.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** The longest Retry-After we honour; a receiver asking for more waits for the schedule's longest step. */
const MAX_RETRY_AFTER_MS = 10 * 3_600_000;

/** `Retry-After` as seconds or an HTTP date (RFC 9110 §10.2.3), in milliseconds from `now`; null if absent or bad. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

/** The wait before retry number `retry` (1-based): the schedule's step, or longer if the receiver asked. */
export function retryDelayMs(
  schedule: readonly number[],
  retry: number,
  retryAfterMs: number | null,
): number {
  const scheduled = schedule[Math.min(retry, schedule.length) - 1] ?? 0;
  return Math.max(scheduled, retryAfterMs ?? 0);
}
