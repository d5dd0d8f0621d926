import { describe, expect, it } from 'vitest';
import { CountryCode } from './network.ts';
import { REGION_CODES } from './region-codes.ts';

/** Every two-letter code the running Node's ICU names as a region. */
function icuRegionCodes(): string[] {
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const codes: string[] = [];
  for (let first = 65; first <= 90; first++) {
    for (let second = 65; second <= 90; second++) {
      const code = String.fromCharCode(first, second);
      if (names.of(code) !== undefined) codes.push(code);
    }
  }
  return codes;
}

describe('REGION_CODES', () => {
  it("is exactly the running Node's ICU list of region codes", () => {
    expect([...REGION_CODES].sort()).toEqual(icuRegionCodes());
  });

  it('makes CountryCode take assigned codes and OONI ZZ, and refuse unassigned ones', () => {
    for (const code of ['RU', 'IR', 'DE', 'XK', 'ZZ']) expect(CountryCode.safeParse(code).success).toBe(true);
    for (const code of ['XX', 'AA', 'QZ', 'ru', 'RUS'])
      expect(CountryCode.safeParse(code).success).toBe(false);
  });
});
