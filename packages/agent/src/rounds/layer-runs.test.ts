import { LAYERS } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { LAYER_RUNS } from './layer-runs.ts';

describe("the agent's part of the layer registry", () => {
  it('gives every registered layer a run, in registry order', () => {
    expect(Object.keys(LAYER_RUNS)).toEqual([...LAYERS]);
  });
});
