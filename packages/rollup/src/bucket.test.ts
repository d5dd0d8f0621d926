import { describe, expect, it } from 'vitest';
import {
  BucketRetention,
  bucketExpiresAt,
  bucketId,
  bucketIdsCovering,
  bucketStart,
  Granularity,
} from './bucket.ts';

const at = (iso: string) => Date.parse(iso);

describe('bucketStart', () => {
  it.each([
    ['5m', '2026-11-23T10:04:59.999Z', '2026-11-23T10:00:00.000Z'],
    ['5m', '2026-11-23T10:05:00.000Z', '2026-11-23T10:05:00.000Z'],
    ['5m', '2026-11-23T10:05:00.001Z', '2026-11-23T10:05:00.000Z'],
    ['1h', '2026-11-23T10:59:59.999Z', '2026-11-23T10:00:00.000Z'],
    ['1h', '2026-11-23T11:00:00.000Z', '2026-11-23T11:00:00.000Z'],
    ['1d', '2026-11-23T23:59:59.999Z', '2026-11-23T00:00:00.000Z'],
    ['1d', '2026-11-24T00:00:00.000Z', '2026-11-24T00:00:00.000Z'],
    ['1d', '2028-02-29T12:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['5m', '1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z'],
  ] as const)('%s bucket of %s starts at %s', (granularity, time, expected) => {
    expect(new Date(bucketStart(at(time), granularity)).toISOString()).toBe(expected);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %s as a time', (value) => {
    expect(() => bucketStart(value, '1h')).toThrow(RangeError);
  });
});

describe('bucketId', () => {
  it.each([
    ['5m', '2026-11-23T10:07:31.000Z', '5m-20261123T1005Z'],
    ['1h', '2026-11-23T10:07:31.000Z', '1h-20261123T1000Z'],
    ['1d', '2026-11-23T10:07:31.000Z', '1d-20261123T0000Z'],
  ] as const)('%s id of %s is %s', (granularity, time, expected) => {
    expect(bucketId(at(time), granularity)).toBe(expected);
  });

  it('is the same for every instant in a bucket and differs across the boundary', () => {
    expect(bucketId(at('2026-11-23T10:05:00.000Z'), '5m')).toBe(
      bucketId(at('2026-11-23T10:09:59.999Z'), '5m'),
    );
    expect(bucketId(at('2026-11-23T10:09:59.999Z'), '5m')).not.toBe(
      bucketId(at('2026-11-23T10:10:00.000Z'), '5m'),
    );
  });

  it('contains no Redis key separator and sorts in time order', () => {
    const ids = [at('2026-11-23T09:55:00Z'), at('2026-11-23T10:00:00Z'), at('2026-12-01T00:00:00Z')].map(
      (t) => bucketId(t, '5m'),
    );
    for (const id of ids) expect(id).toMatch(/^[0-9a-zA-Z-]+$/);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('bucketIdsCovering', () => {
  it('lists every bucket overlapping the half-open range', () => {
    expect(bucketIdsCovering(at('2026-11-23T10:59:00Z'), at('2026-11-23T13:00:00Z'), '1h')).toEqual([
      '1h-20261123T1000Z',
      '1h-20261123T1100Z',
      '1h-20261123T1200Z',
    ]);
  });

  it('is empty for an empty range', () => {
    expect(bucketIdsCovering(at('2026-11-23T10:00:00Z'), at('2026-11-23T10:00:00Z'), '5m')).toEqual([]);
  });
});

describe('retention', () => {
  it('defaults to 48 h, 90 days and 3 years', () => {
    const retention = BucketRetention.parse({});
    expect(retention['5m']).toBe(48 * 3_600_000);
    expect(retention['1h']).toBe(90 * 86_400_000);
    expect(retention['1d']).toBe(3 * 365 * 86_400_000);
  });

  it.each([{ '5m': 0 }, { '1h': -1 }, { '1d': 1.5 }, { '5m': '48h' }])('rejects %o', (input) => {
    expect(BucketRetention.safeParse(input).success).toBe(false);
  });

  it('expires a bucket one retention after its end', () => {
    const retention = BucketRetention.parse({ '5m': 60_000 });
    expect(new Date(bucketExpiresAt(at('2026-11-23T10:07:00Z'), '5m', retention)).toISOString()).toBe(
      '2026-11-23T10:11:00.000Z',
    );
  });

  it('only accepts the three granularities', () => {
    expect(Granularity.safeParse('15m').success).toBe(false);
  });
});
