import { describe, expect, it } from 'vitest';
import { selectComponents } from './stack-components.ts';

describe('selectComponents', () => {
  it('runs everything by default, without the demo when it is off', () => {
    expect(selectComponents(undefined, true)).toEqual(['aggregator', 'collector', 'api', 'demo']);
    expect(selectComponents(undefined, false)).toEqual(['aggregator', 'collector', 'api']);
  });

  it('keeps start order whatever order --only names them in', () => {
    expect(selectComponents('collector, aggregator', true)).toEqual(['aggregator', 'collector']);
  });

  it('rejects a name it does not know, naming the choices', () => {
    expect(() => selectComponents('collector,redis', true)).toThrow(
      '--only takes a comma-separated list of aggregator, collector, api, demo (got "collector,redis")',
    );
    expect(() => selectComponents(',', true)).toThrow(/--only/);
  });
});
