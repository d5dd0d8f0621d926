import type { Scenario } from '../scenario/scenario-schema.ts';

export interface ScheduledPhase {
  /** Indices into `scenario.regions`: every (region, ASN) pair the phase names. */
  regions: number[];
  /** How long from `now` until the phase applies (never negative). */
  delayMs: number;
  phase: Scenario['phases'][number];
}

/**
 * When and where each phase applies. Times count from the scenario's start (`startMs`, the window
 * boundary the run began on), not from the end of agent enrolment, which is serial and takes longer
 * with more agents. A phase naming a region shared by several ASNs applies to all of them unless it
 * names one with `asn`.
 */
export function schedulePhases(scenario: Scenario, startMs: number, nowMs: number): ScheduledPhase[] {
  return scenario.phases.map((phase) => ({
    phase,
    regions: scenario.regions.flatMap((region, index) =>
      region.id === phase.region && (phase.asn === undefined || region.asn === phase.asn) ? [index] : [],
    ),
    delayMs: Math.max(0, startMs + phase.at - nowMs),
  }));
}
