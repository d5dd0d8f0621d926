import { LAYERS } from '@reachmap/schema/layer-names';
import { describe, expect, it } from 'vitest';
import { LAYER_SECTIONS } from './evidence-view.ts';

describe("the dashboard's part of the layer registry", () => {
  it('has an evidence section for every registered layer, in registry order', () => {
    expect(Object.keys(LAYER_SECTIONS)).toEqual([...LAYERS]);
  });
});
