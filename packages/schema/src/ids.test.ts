import { describe, expect, it } from 'vitest';
import { AgentId, MeasurementId, measurementIdTime, newMeasurementId, newPrefixedId } from './ids.ts';

describe('ids', () => {
  it('makes valid, time-ordered UUIDv7 measurement ids', () => {
    const earlier = newMeasurementId(Date.parse('2026-01-01T00:00:00Z'));
    const later = newMeasurementId(Date.parse('2026-06-01T00:00:00Z'));
    expect(MeasurementId.safeParse(earlier).success).toBe(true);
    expect(earlier < later).toBe(true);
    expect(measurementIdTime(later)).toBe(Date.parse('2026-06-01T00:00:00Z'));
  });

  it('makes prefixed ids that say what they are', () => {
    const id = newPrefixedId('agt');
    expect(id).toMatch(/^agt_[0-9A-Za-z]{22}$/);
    expect(AgentId.safeParse(id).success).toBe(true);
    expect(AgentId.safeParse('whk_0123456789abcdef').success).toBe(false);
  });
});
