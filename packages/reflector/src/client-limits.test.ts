import { describe, expect, it } from 'vitest';
import { ClientLimits } from './client-limits.ts';
import type { ClientLimitsConfig } from './config.ts';

const config: ClientLimitsConfig = {
  maxRequestBytes: 1000,
  bytesPerWindow: 1000,
  windowSeconds: 60,
  rateBytesPerSecond: 1_000_000,
  burstBytes: 1_000_000,
  maxConnectionsPerClient: 2,
};

function manualClock() {
  let now = 1_000_000;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('ClientLimits', () => {
  it('caps concurrent connections per IP, independently for each IP', () => {
    const limits = new ClientLimits(config);
    expect(limits.openConnection('192.0.2.1')).toBe(true);
    expect(limits.openConnection('192.0.2.1')).toBe(true);
    expect(limits.openConnection('192.0.2.1')).toBe(false);
    expect(limits.openConnection('192.0.2.2')).toBe(true);
    limits.closeConnection('192.0.2.1');
    expect(limits.openConnection('192.0.2.1')).toBe(true);
  });

  it('refuses bytes over the window cap and says when the window resets', () => {
    const clock = manualClock();
    const limits = new ClientLimits(config, clock.now);
    expect(limits.charge('192.0.2.1', 600)).toEqual({ ok: true });
    clock.advance(15_000);
    expect(limits.charge('192.0.2.1', 600)).toEqual({ ok: false, retryAfterSeconds: 45 });
    expect(limits.charge('192.0.2.2', 600)).toEqual({ ok: true });
    clock.advance(45_000);
    expect(limits.charge('192.0.2.1', 600)).toEqual({ ok: true });
  });

  it('forgets idle clients whose window is over', () => {
    const clock = manualClock();
    const limits = new ClientLimits(config, clock.now);
    limits.charge('192.0.2.1', 10);
    limits.openConnection('192.0.2.2');
    expect(limits.sweep()).toBe(2);
    clock.advance(61_000);
    expect(limits.sweep()).toBe(1);
  });
});
