import { describe, expect, it } from 'vitest';
import { RollupConfig } from './config.ts';
import { assessTargetOutage, type RegionWindow } from './target-outage.ts';
import type { WindowAssessment } from './window-assessment.ts';

const config = RollupConfig.parse({});
const FAILING: WindowAssessment = {
  kind: 'interference',
  status: 'blocked',
  method: 'timeout',
  share: 1,
  agents: 2,
};
const STALLED: WindowAssessment = {
  kind: 'interference',
  status: 'stalled',
  method: 'stall',
  share: 1,
  agents: 2,
};
const CLEAN: WindowAssessment = { kind: 'clean', share: 1, agents: 2 };
const THIN: WindowAssessment = { kind: 'insufficient' };

const regions = (spec: Record<string, WindowAssessment>): RegionWindow[] =>
  Object.entries(spec).map(([region, assessment]) => ({ region, assessment }));

describe('assessTargetOutage', () => {
  it('calls a target down when it fails in nearly every network of several countries', () => {
    expect(
      assessTargetOutage(
        regions({
          'RU-MOW': FAILING,
          'RU-SPE': FAILING,
          'DE-BE': FAILING,
          'TR-34': STALLED,
          'BR-SP': FAILING,
        }),
        config,
      ),
    ).toEqual({ regions_failing: 5, regions_evidenced: 5, countries_failing: 4 });
  });

  it('leaves national censorship alone: the demo network (two countries of four block)', () => {
    expect(
      assessTargetOutage(
        regions({ 'RU-MOW': FAILING, 'RU-SPE': CLEAN, 'IR-07': FAILING, 'DE-BE': CLEAN, 'TR-34': CLEAN }),
        config,
      ),
    ).toBeNull();
  });

  it('needs the share: three countries blocking among networks that still reach the target is censorship', () => {
    const spec = regions({
      'RU-MOW': FAILING,
      'IR-07': FAILING,
      'CN-BJ': FAILING,
      'DE-BE': CLEAN,
      'FR-IDF': CLEAN,
    });
    expect(assessTargetOutage(spec, config)).toBeNull();
  });

  it('needs several countries: one country failing everywhere is a national block (or its own outage)', () => {
    expect(
      assessTargetOutage(regions({ 'RU-MOW': FAILING, 'RU-SPE': FAILING, 'RU-KDA': FAILING }), config),
    ).toBeNull();
    expect(assessTargetOutage(regions({ 'RU-MOW': FAILING, 'DE-BE': FAILING }), config)).toBeNull();
  });

  it('counts only regions with evidence, so thin windows neither dilute nor make an outage', () => {
    const spec = regions({
      'RU-MOW': FAILING,
      'DE-BE': FAILING,
      'TR-34': FAILING,
      'BR-SP': THIN,
      'FR-IDF': THIN,
    });
    expect(assessTargetOutage(spec, config)).toEqual({
      regions_failing: 3,
      regions_evidenced: 3,
      countries_failing: 3,
    });
    expect(assessTargetOutage(regions({ 'RU-MOW': THIN, 'DE-BE': THIN, 'TR-34': THIN }), config)).toBeNull();
  });

  it('follows the configured share and country count', () => {
    const spec = regions({ 'RU-MOW': FAILING, 'DE-BE': FAILING, 'TR-34': CLEAN });
    expect(assessTargetOutage(spec, config)).toBeNull();
    const looser = RollupConfig.parse({ targetOutage: { share: 0.6, minCountries: 2 } });
    expect(assessTargetOutage(spec, looser)).toEqual({
      regions_failing: 2,
      regions_evidenced: 3,
      countries_failing: 2,
    });
  });
});
