import type { NetworkProposal } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { type DeclaredNetwork, resolveEnrolmentNetwork } from './enrolment-network.ts';

const NOTHING: DeclaredNetwork = {
  country: null,
  asn: null,
  region: null,
  networkType: 'unknown',
  overrideReason: null,
};
const SEEN = { address: '203.0.113.5', country: 'RU', region: null, asn: 12389 };
const PROPOSAL: NetworkProposal = { ...SEEN, source: 'geoip', agent_view: null, address_echo_url: null };
const NO_DATABASE: NetworkProposal = {
  ...PROPOSAL,
  country: null,
  asn: null,
  source: 'none',
};
const CITY: NetworkProposal = { ...PROPOSAL, region: 'RU-MOW' };

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

  it('takes the detected region with the detected country, and refuses another without a reason', () => {
    expect(resolveEnrolmentNetwork(NOTHING, CITY)).toMatchObject({
      ok: true,
      basis: 'detected',
      network: { country: 'RU', region: 'RU-MOW', asn: 12389 },
    });
    const elsewhere = resolveEnrolmentNetwork({ ...NOTHING, region: 'RU-SPE' }, CITY);
    expect(!elsewhere.ok && elsewhere.message).toMatch(/in RU \/ RU-MOW AS12389; you declared RU \/ RU-SPE/);
    const moved = { ...NOTHING, country: 'DE', asn: 3320, overrideReason: 'tunnel exit' };
    expect(resolveEnrolmentNetwork(moved, CITY)).toMatchObject({ ok: true, network: { region: null } });
  });

  it("asks for a declaration with a reason when the agent's own view contradicts the collector's", () => {
    const proposal = {
      ...PROPOSAL,
      agent_view: { ...SEEN, address: '198.51.100.7', country: 'DE', asn: 3320 },
    };
    const refused = resolveEnrolmentNetwork(NOTHING, proposal);
    expect(!refused.ok && refused.message).toMatch(
      /collector sees this agent at 203\.0\.113\.5, in RU AS12389 but a control endpoint sees it at 198\.51\.100\.7, in DE AS3320/,
    );
    const declared = {
      ...NOTHING,
      country: 'DE',
      asn: 3320,
      overrideReason: 'uploads leave through a VPN in RU',
    };
    expect(resolveEnrolmentNetwork(declared, proposal)).toMatchObject({
      ok: true,
      basis: 'overridden',
      overrideReason: 'uploads leave through a VPN in RU',
    });
    // The same address, or another the database places in the same network: the views agree.
    const agreeing = { ...PROPOSAL, agent_view: { ...SEEN, address: '203.0.113.9' } };
    expect(resolveEnrolmentNetwork(NOTHING, agreeing)).toMatchObject({ ok: true, basis: 'detected' });
  });

  it('lets the declaration stand without a database, and asks for one when there is none', () => {
    const declared = { ...NOTHING, country: 'RU', asn: 12389 };
    expect(resolveEnrolmentNetwork(declared, NO_DATABASE)).toMatchObject({ ok: true, basis: 'declared' });
    expect(resolveEnrolmentNetwork(declared, null)).toMatchObject({ ok: true, basis: 'declared' });
    const missing = resolveEnrolmentNetwork(NOTHING, NO_DATABASE);
    expect(!missing.ok && missing.message).toMatch(/pass --country and --asn/);
  });
});
