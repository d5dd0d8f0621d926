import type { WindowRun } from '@reachmap/rollup';
import { labAgentId } from '@reachmap/rollup/testing';
import { newMeasurementId } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { decodeWindowRun, encodeWindowRun } from './entries.ts';

const run: WindowRun = {
  agent_id: labAgentId(1),
  verdict: {
    measurement_id: newMeasurementId(Date.parse('2026-12-02T10:00:00Z')),
    status: 'blocked',
    method: 'sni-reset',
  },
  controls_healthy: true,
  simulated: false,
};

describe('window run members', () => {
  it('round-trip with and without the other scope: the ASN of a region run, the region of an ASN run', () => {
    expect(decodeWindowRun(encodeWindowRun(run))).toEqual(run);
    const regional = { ...run, asn: 'AS64500' };
    expect(decodeWindowRun(encodeWindowRun(regional))).toEqual(regional);
    expect(encodeWindowRun(regional)).toBe(`${encodeWindowRun(run)}|AS64500`);
    const national = { ...run, region: 'RU-MOW' };
    expect(decodeWindowRun(encodeWindowRun(national))).toEqual(national);
  });

  it('read a member written before regions recorded the ASN (six fields) as a run without one', () => {
    const old = [run.verdict.measurement_id, run.agent_id, 'ok', '-', '1', '0'].join('|');
    expect(decodeWindowRun(old)).toEqual({
      ...run,
      verdict: { ...run.verdict, status: 'ok', method: null },
      simulated: false,
    });
  });
});
