import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parse-scenario.ts';
import { schedulePhases } from './phase-schedule.ts';

const parsed = parseScenario(`
name: two-isps
description: one region, two ISPs, a lift at 120 s
duration: 240s
interval: 15s
regions:
  - { id: RU-MOW, asn: 64500, agents: 3, censor: [{ match: { target: telegram }, action: drop }] }
  - { id: RU-MOW, asn: 64501, agents: 3, censor: [{ match: { target: telegram }, action: drop }] }
  - { id: DE-BE, asn: 64502, agents: 2 }
phases:
  - { at: 120s, region: RU-MOW, censor: [] }
  - { at: 150s, region: RU-MOW, asn: 64501, censor: [{ match: { target: telegram }, action: reset }] }
expect:
  - { noEvent: block.started, scope: DE-BE }
`);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const scenario = parsed.scenario;

describe('schedulePhases', () => {
  it('applies a phase to every ASN of the region it names, or to the one `asn` picks', () => {
    expect(schedulePhases(scenario, 0, 0).map((scheduled) => scheduled.regions)).toEqual([[0, 1], [1]]);
  });

  it('counts from the scenario start, not from the end of enrolment', () => {
    // Enrolling the agents took 40 s: the lift still applies 120 s after the start.
    const start = 1_000_000;
    expect(schedulePhases(scenario, start, start + 40_000).map((scheduled) => scheduled.delayMs)).toEqual([
      80_000, 110_000,
    ]);
    expect(schedulePhases(scenario, start, start + 200_000).map((scheduled) => scheduled.delayMs)).toEqual([
      0, 0,
    ]);
  });
});
