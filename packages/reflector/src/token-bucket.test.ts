import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

function manualClock() {
  let now = 0;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('TokenBucket', () => {
  it('lets a burst through, then paces to the rate', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1000, 500, clock.now);
    expect(bucket.take(500)).toBe(0);
    expect(bucket.take(250)).toBe(250);
    expect(bucket.take(250)).toBe(500);
  });

  it('refills with time but never beyond the burst', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1000, 500, clock.now);
    bucket.take(500);
    clock.advance(10_000);
    expect(bucket.isFull()).toBe(true);
    expect(bucket.take(500)).toBe(0);
    expect(bucket.take(100)).toBe(100);
  });

  it('is not full while it owes tokens', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(1000, 500, clock.now);
    bucket.take(1000);
    clock.advance(900);
    expect(bucket.isFull()).toBe(false);
    clock.advance(100);
    expect(bucket.isFull()).toBe(true);
  });
});
