import { describe, expect, it } from 'vitest';
import { RollupConfig } from './config.ts';
import {
  assessTargetOutage,
  type RegionWindow,
  regionTestimony,
  targetOutagePending,
} from './target-outage.ts';
import { type AgentSpec, labRuns } from './testing.ts';

const config = RollupConfig.parse({});
type Spec = AgentSpec[];
// Two agents, two runs each: a window with a verdict of its own.
const FAILING: Spec = [
  ['blocked:timeout', 'blocked:timeout'],
  ['blocked:timeout', 'blocked:timeout'],
];
const STALLED: Spec = [
  ['stalled', 'stalled'],
  ['stalled', 'stalled'],
];
const CLEAN: Spec = [
  ['ok', 'ok'],
  ['ok', 'ok'],
];
const SILENT: Spec = [['blocked:timeout']];

const regions = (spec: Record<string, Spec>): RegionWindow[] =>
  Object.entries(spec).map(([region, agents]) => ({
    region,
    runs: labRuns({ index: 0, agents }),
  }));

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

  it('counts only regions that testify, so silent windows neither dilute nor make an outage', () => {
    const spec = regions({
      'RU-MOW': FAILING,
      'DE-BE': FAILING,
      'TR-34': FAILING,
      'BR-SP': SILENT,
      'FR-IDF': SILENT,
    });
    expect(assessTargetOutage(spec, config)).toEqual({
      regions_failing: 3,
      regions_evidenced: 3,
      countries_failing: 3,
    });
    expect(
      assessTargetOutage(regions({ 'RU-MOW': SILENT, 'DE-BE': SILENT, 'TR-34': SILENT }), config),
    ).toBeNull();
  });

  it('hears a region below the verdict floor as a witness: fuzz world 7 (2026-12-05)', () => {
    // Germany's 2 agents made 3 runs in the first window WhatsApp was down, all timeouts: no verdict of
    // its own, but a third country failing. Brazil opened a block on the verdict floor.
    const thin: Spec = [['blocked:timeout', 'blocked:timeout'], ['blocked:timeout']];
    const world = regions({ 'RU-NIZ': FAILING, 'BR-SP': FAILING });
    world.push({ region: 'DE-BY', runs: labRuns({ index: 0, agents: thin }) });
    expect(assessTargetOutage(world, config)).toEqual({
      regions_failing: 3,
      regions_evidenced: 3,
      countries_failing: 3,
    });
  });

  it('hears a witness failing from 40 % of its runs, or from most of its agents’ latest runs', () => {
    const testimony = (agents: Spec) => regionTestimony(labRuns({ index: 0, agents }), config);
    expect(testimony([['blocked:timeout', 'throttled', 'stalled']])).toBe('failing');
    expect(testimony([['ok', 'blocked', 'blocked', 'ok', 'ok']])).toBe('failing');
    // Fuzz world 60: the target went down after each agent's first run of the window.
    expect(testimony([['ok', 'ok', 'ok', 'blocked', 'blocked']])).toBe('failing');
    expect(
      testimony([
        ['ok', 'ok', 'ok', 'blocked'],
        ['ok', 'ok', 'ok', 'blocked'],
      ]),
    ).toBe('failing');
    // A working path with a failure here and there.
    expect(testimony([['ok', 'blocked', 'ok', 'ok', 'ok']])).toBe('reaching');
    expect(
      testimony([
        ['ok', 'ok', 'ok', 'blocked'],
        ['ok', 'ok', 'ok', 'ok'],
        ['ok', 'ok', 'ok', 'ok'],
      ]),
    ).toBe('reaching');
    // Rounds whose controls failed (`down`) and errors say nothing about the target.
    expect(testimony([['down', 'error', 'blocked']])).toBe('silent');
    expect(testimony([])).toBe('silent');
  });

  it('says an outage is pending while active regions have not reported the window (fuzz worlds 56, 108)', () => {
    const earlier = labRuns({ index: 0, agents: CLEAN });
    const world = regions({ 'RU-NIZ': FAILING, 'DE-BE': [], 'BR-SP': [] }).map((region) =>
      region.region === 'RU-NIZ' ? region : { ...region, previous: earlier },
    );
    // Heard so far: Russia alone, no outage; but Germany and Brazil were active and are not in yet.
    expect(assessTargetOutage(world, config)).toBeNull();
    expect(targetOutagePending(world, config)).toBe(true);
    // Regions silent in the window before too are inactive: nothing to wait for.
    const inactive = world.map((region) => ({ ...region, previous: [] }));
    expect(targetOutagePending(inactive, config)).toBe(false);
    // A region heard reaching the target settles it: national censorship.
    const settled = world.map((region) =>
      region.region === 'DE-BE' ? { ...region, runs: labRuns({ index: 1, agents: CLEAN }) } : region,
    );
    expect(targetOutagePending(settled, config)).toBe(false);
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
