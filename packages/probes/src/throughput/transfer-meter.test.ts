import { describe, expect, it } from 'vitest';
import { createTransferMeter } from './transfer-meter.ts';

function meterWith(arrivals: Array<[number, number]>) {
  const meter = createTransferMeter();
  for (const [t, bytes] of arrivals) meter.record(t, bytes);
  return meter;
}

describe('createTransferMeter', () => {
  it('measures a steady completed transfer', () => {
    // 1000 bytes every 0.1 s for 1 s after a 0.2 s TTFB: 9000 bytes after the first in 0.9 s = 80 kbit/s.
    const arrivals = Array.from({ length: 10 }, (_, i) => [0.2 + i * 0.1, 1000] as [number, number]);
    const stats = meterWith(arrivals).finish(1.1, true);
    expect(stats.bytes).toBe(10_000);
    expect(stats.ttfb_s).toBeCloseTo(0.2);
    expect(stats.goodput_bps).toBe(80_000);
    expect(stats.longest_stall_s).toBeCloseTo(0.2);
    expect(stats.bytes_before_stall).toBe(0);
    expect(stats.duration_s).toBeCloseTo(1.1);
  });

  it('counts the tail of an incomplete transfer as the longest stall', () => {
    const stats = meterWith([
      [0.05, 8192],
      [0.1, 8192],
    ]).finish(5.1, false);
    expect(stats.longest_stall_s).toBeCloseTo(5.0);
    expect(stats.bytes_before_stall).toBe(16_384);
    expect(stats.goodput_bps).toBe(Math.round((8192 * 8) / 5.05));
  });

  it('records a transfer that never delivered a byte', () => {
    const stats = createTransferMeter().finish(5, false);
    expect(stats).toEqual({
      bytes: 0,
      duration_s: 5,
      ttfb_s: null,
      goodput_bps: 0,
      longest_stall_s: 5,
      bytes_before_stall: 0,
    });
  });

  it('finds a stall in the middle', () => {
    const stats = meterWith([
      [0.1, 100],
      [0.2, 100],
      [2.2, 100],
      [2.3, 100],
    ]).finish(2.3, true);
    expect(stats.longest_stall_s).toBeCloseTo(2.0);
    expect(stats.bytes_before_stall).toBe(200);
  });
});
