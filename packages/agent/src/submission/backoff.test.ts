import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../collector/retry-after.ts';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';

describe('backoffDelay', () => {
  it.each([
    { failures: 1, low: 500, high: 1_000 },
    { failures: 4, low: 4_000, high: 8_000 },
    { failures: 30, low: 150_000, high: 300_000 },
  ])('after $failures failures waits between $low and $high ms', ({ failures, low, high }) => {
    expect(backoffDelay(failures, DEFAULT_BACKOFF, () => 0)).toBe(low);
    expect(backoffDelay(failures, DEFAULT_BACKOFF, () => 1)).toBe(high);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  it.each([
    { header: '30', expected: 30_000 },
    { header: 'Mon, 23 Nov 2026 12:01:00 GMT', expected: 60_000 },
    { header: 'Mon, 23 Nov 2026 11:00:00 GMT', expected: 0 },
    { header: 'soon', expected: null },
    { header: null, expected: null },
  ])('reads "$header" as $expected ms', ({ header, expected }) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
