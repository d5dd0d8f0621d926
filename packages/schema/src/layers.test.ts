import { describe, expect, it } from 'vitest';
import { LAYER_TITLES, LAYERS, OBSERVATION_KEYS } from './layers.ts';
import { OBSERVATION_LAYERS, Observations } from './observations.ts';

describe('the layer registry', () => {
  it('gives every layer an observation schema, a cap and a title, in registry order', () => {
    expect(Object.keys(OBSERVATION_LAYERS)).toEqual([...OBSERVATION_KEYS]);
    expect(Object.keys(Observations.shape)).toEqual([...OBSERVATION_KEYS]);
    expect(Object.keys(LAYER_TITLES)).toEqual([...LAYERS]);
  });

  it('defaults every layer of a measurement to no entries', () => {
    expect(Observations.parse({})).toEqual(Object.fromEntries(OBSERVATION_KEYS.map((key) => [key, []])));
  });
});
