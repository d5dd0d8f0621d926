import { type Method, ScopeKey } from '@reachmap/schema';
import { z } from 'zod';
import type { RollupConfig } from './config.ts';
import { deriveCountryState } from './country-state.ts';
import type { OutageSignals } from './outage-signals.ts';
import { initialScopeState, nextScopeState, ScopeMachineState } from './scope-machine.ts';
import type { WindowRun } from './window-run.ts';
import { summarizeWindow, type WindowKey } from './window-summary.ts';

/**
 * ASN scopes: one machine per region the ASN's agents measure from, advanced like the ASN's own machine
 * by the runs from that region. A national ISP that blocks in one region only pools to `accessible`
 * (most of its runs are ok); its slices keep the split, and the map shows the ASN `partial`, as a
 * region whose ISPs disagree (docs/state-machine.md). Slices emit no events and never open a state of
 * the ASN's own.
 */
export const RegionSlices = z.record(ScopeKey, ScopeMachineState);
export type RegionSlices = z.infer<typeof RegionSlices>;

/**
 * The slices after one window of the ASN. Every known region is advanced, with no runs if it sent none,
 * so a slice's hysteresis is the ASN's; a slice with nothing open and no runs is forgotten, and an ASN
 * heard from one region only keeps none (it is its own slice).
 */
export function nextRegionSlices(
  previous: RegionSlices,
  runs: readonly WindowRun[],
  key: WindowKey,
  outage: OutageSignals,
  config: RollupConfig,
): RegionSlices {
  const byRegion = Map.groupBy(
    runs.filter((run): run is WindowRun & { region: string } => run.region !== undefined),
    (run) => run.region,
  );
  const regions = [...new Set([...Object.keys(previous), ...byRegion.keys()])].sort();
  if (regions.length < 2) return {};
  const next: RegionSlices = {};
  for (const region of regions) {
    const before = previous[region] ?? initialScopeState(key.scope, key.target);
    const { state } = nextScopeState(
      before,
      summarizeWindow(key, byRegion.get(region) ?? []),
      outage,
      config,
    );
    if (!byRegion.has(region) && state.interference === null && state.state === 'insufficient') continue;
    next[region] = state;
  }
  return Object.keys(next).length < 2 ? {} : next;
}

/** The ASN's split along its regions, when its slices disagree: the method of the interfering ones. */
export function regionSplit(
  slices: RegionSlices,
): { method: Method | null; interfering: ScopeMachineState[] } | null {
  const machines = Object.values(slices);
  if (machines.length < 2) return null;
  const derived = deriveCountryState(machines);
  if (derived.state !== 'partial') return null;
  return { method: derived.method, interfering: machines.filter((machine) => machine.interference !== null) };
}
