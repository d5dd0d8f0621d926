import { LAYERS } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { FAILED_OBSERVATIONS } from './evidence.ts';
import { LAYER_OUTCOMES } from './outcome.ts';

describe("the classifier's part of the layer registry", () => {
  it('describes the failed observations of every registered layer, in registry order', () => {
    expect(Object.keys(FAILED_OBSERVATIONS)).toEqual([...LAYERS]);
  });

  it('says what success means at every registered layer, in registry order', () => {
    expect(Object.keys(LAYER_OUTCOMES)).toEqual([...LAYERS]);
  });
});
