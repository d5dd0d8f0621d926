import { describe, expect, it } from 'vitest';
import { canonicalJson, NotCanonicalisableError } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('gives the same text for the same content written in a different key order', () => {
    expect(canonicalJson({ version: '1', targets: [] })).toBe(canonicalJson({ targets: [], version: '1' }));
  });

  it('orders keys by UTF-16 code units as RFC 8785 requires', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3 })).toBe('{"Z":3,"z":2,"é":1}');
  });

  it('omits undefined members like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('refuses numbers JSON cannot carry', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(NotCanonicalisableError);
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(NotCanonicalisableError);
  });
});
