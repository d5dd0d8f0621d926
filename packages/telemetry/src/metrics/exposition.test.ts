import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { sampleValue } from './exposition.ts';
import { createMetricsRegistry } from './metrics-registry.ts';

describe('sampleValue', () => {
  it('finds a sample by name and a subset of labels in whatever order the registry wrote them', async () => {
    const registry = createMetricsRegistry('api');
    const counter = new Counter({
      name: 'x_total',
      help: 'x',
      labelNames: ['a', 'b'],
      registers: [registry],
    });
    counter.inc({ a: '1', b: 'two "quoted"' }, 3);
    counter.inc({ a: '2', b: 'other' }, 5);
    const text = await registry.metrics();
    expect(sampleValue(text, 'x_total', { b: 'two \\"quoted\\"' })).toBe(3);
    expect(sampleValue(text, 'x_total', { role: 'api', a: '2' })).toBe(5);
    expect(sampleValue(text, 'x_total', { a: '3' })).toBeUndefined();
    // The registry's process metrics come with it.
    expect(sampleValue(text, 'process_resident_memory_bytes', { role: 'api' })).toBeGreaterThan(0);
  });
});
