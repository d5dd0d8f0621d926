import { OBSERVATION_KEYS } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { OONI_LAYERS } from './ooni-layers.ts';

describe('the OONI part of the layer registry', () => {
  it('gives every observation key its own test key, in registry order', () => {
    expect(Object.keys(OONI_LAYERS)).toEqual([...OBSERVATION_KEYS]);
    const testKeys = Object.values(OONI_LAYERS).map((layer) => layer.testKey);
    expect(new Set(testKeys).size).toBe(testKeys.length);
  });
});
