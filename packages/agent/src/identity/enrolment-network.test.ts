import { describe, expect, it } from 'vitest';
import { type DeclaredNetwork, resolveEnrolmentNetwork } from './enrolment-network.ts';

const NOTHING: DeclaredNetwork = {
  country: null,
  asn: null,
  region: null,
  networkType: 'unknown',
  overrideReason: null,
};
const PROPOSAL = { address: '203.0.113.5', country: 'RU', asn: 12389, source: 'geoip' } as const;
const NO_DATABASE = { address: '203.0.113.5', country: null, asn: null, source: 'none' } as const;

describe('resolveEnrolmentNetwork', () => {
  it("takes the collector's proposal when the operator declares nothing", () => {
    expect(resolveEnrolmentNetwork({ ...NOTHING, region: 'RU-MOW' }, PROPOSAL)).toEqual({
      ok: true,
      network: { country: 'RU', region: 'RU-MOW', asn: 12389, network_type: 'unknown' },
      basis: 'detected',
      overrideReason: null,
    });
  });

  it('records a matching declaration as confirmed', () => {
    const resolved = resolveEnrolmentNetwork({ ...NOTHING, country: 'RU', asn: 12389 }, PROPOSAL);
    expect(resolved).toMatchObject({ ok: true, basis: 'confirmed' });
  });

  it('refuses a contradicting declaration without a reason, and keeps it with one', () => {
    const declared = { ...NOTHING, country: 'DE', asn: 3320 };
    const refused = resolveEnrolmentNetwork(declared, PROPOSAL);
    expect(refused).toMatchObject({ ok: false });
    expect(!refused.ok && refused.message).toMatch(/203\.0\.113\.5, in RU AS12389; you declared DE AS3320/);
    const kept = resolveEnrolmentNetwork({ ...declared, overrideReason: 'VPN exit' }, PROPOSAL);
    expect(kept).toMatchObject({
      ok: true,
      basis: 'overridden',
      overrideReason: 'VPN exit',
      network: { country: 'DE', asn: 3320 },
    });
  });

  it('lets the declaration stand without a database, and asks for one when there is none', () => {
    const declared = { ...NOTHING, country: 'RU', asn: 12389 };
    expect(resolveEnrolmentNetwork(declared, NO_DATABASE)).toMatchObject({ ok: true, basis: 'declared' });
    expect(resolveEnrolmentNetwork(declared, null)).toMatchObject({ ok: true, basis: 'declared' });
    const missing = resolveEnrolmentNetwork(NOTHING, NO_DATABASE);
    expect(!missing.ok && missing.message).toMatch(/pass --country and --asn/);
  });
});
