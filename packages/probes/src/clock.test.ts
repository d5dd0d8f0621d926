import { describe, expect, it } from 'vitest';
import { createMeasurementClock } from './clock.ts';

describe('createMeasurementClock', () => {
  it('counts seconds from its origin on the monotonic clock', async () => {
    const clock = createMeasurementClock();
    const first = clock.seconds();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = clock.seconds();
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(0.05);
    expect(second - first).toBeGreaterThanOrEqual(0.04);
  });

  it('shares one origin across probes that are given the same clock', () => {
    const origin = performance.now() - 2000;
    const clock = createMeasurementClock(origin);
    expect(clock.originMs).toBe(origin);
    expect(clock.seconds()).toBeGreaterThanOrEqual(2);
  });
});
