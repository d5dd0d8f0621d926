import { describe, expect, it } from 'vitest';
import type { Expectation } from '../scenario/scenario-schema.ts';
import {
  confusionTable,
  type EventSample,
  type ObservedTimeline,
  type StateSample,
  scoreExpectation,
} from './score-expectations.ts';

const DURATION = 240_000;

const state = (
  atMs: number,
  scope: string,
  target: string,
  name: StateSample['state'],
  method: StateSample['method'] = null,
): StateSample => ({
  atMs,
  scope,
  target,
  state: name,
  method,
});
const event = (
  atMs: number,
  type: EventSample['type'],
  scope: string,
  target: string | null,
  method: EventSample['method'] = null,
): EventSample => ({
  atMs,
  type,
  scope,
  target,
  method,
});

/** RU-MOW blocks WhatsApp by SNI from 75 s, lifted at 120 s and cleared at 190 s; DE-BE stays clean. */
const TIMELINE: ObservedTimeline = {
  states: [
    state(2_000, 'RU-MOW', 'whatsapp', 'insufficient'),
    state(40_000, 'RU-MOW', 'whatsapp', 'accessible'),
    state(75_000, 'RU-MOW', 'whatsapp', 'blocked', 'sni-reset'),
    state(190_000, 'RU-MOW', 'whatsapp', 'accessible'),
    state(40_000, 'DE-BE', 'whatsapp', 'accessible'),
  ],
  events: [
    event(75_000, 'block.started', 'RU-MOW', 'whatsapp', 'sni-reset'),
    event(190_000, 'block.ended', 'RU-MOW', 'whatsapp', 'sni-reset'),
  ],
};

const score = (expectation: Expectation) => scoreExpectation(expectation, 0, TIMELINE, DURATION);

describe('scoreExpectation', () => {
  it.each([
    [{ scope: 'RU-MOW', target: 'whatsapp', state: 'blocked', within: 90_000 }, true, 75_000],
    [{ scope: 'RU-MOW', target: 'whatsapp', state: 'blocked', layer: 'tls', within: 90_000 }, true, 75_000],
    [{ scope: 'RU-MOW', target: 'whatsapp', state: 'blocked', method: 'sni-reset' }, true, 75_000],
    // Wrong layer or method: the state showed, but not for the expected reason.
    [{ scope: 'RU-MOW', target: 'whatsapp', state: 'blocked', layer: 'dns' }, false, null],
    [{ scope: 'RU-MOW', target: 'whatsapp', state: 'blocked', method: 'sni-timeout' }, false, null],
    // Too late for a 60 s limit.
    [{ scope: 'RU-MOW', target: 'whatsapp', state: 'blocked', within: 60_000 }, false, null],
    // Measured from `after`: accessible again 70 s after the phase at 120 s.
    [
      { scope: 'RU-MOW', target: 'whatsapp', state: 'accessible', after: 120_000, within: 90_000 },
      true,
      70_000,
    ],
    [{ scope: 'DE-BE', target: 'whatsapp', state: 'accessible' }, true, 40_000],
    [{ scope: 'DE-BE', target: 'telegram', state: 'accessible' }, false, null],
  ] as const)('state %j → pass %s, detected after %s ms', (expectation, pass, timeToDetectMs) => {
    expect(score(expectation as Expectation)).toMatchObject({ pass, timeToDetectMs });
  });

  it.each([
    [
      { scope: 'RU-MOW', target: 'whatsapp', event: 'block.ended', after: 120_000, within: 90_000 },
      true,
      70_000,
    ],
    [
      { scope: 'RU-MOW', target: 'whatsapp', event: 'block.ended', after: 120_000, within: 60_000 },
      false,
      null,
    ],
    [{ scope: 'RU-MOW', event: 'block.started' }, true, 75_000],
    [{ scope: 'RU-MOW', event: 'block.started', method: 'reset' }, false, null],
    [{ scope: 'DE-BE', event: 'block.started' }, false, null],
  ] as const)('event %j → pass %s, detected after %s ms', (expectation, pass, timeToDetectMs) => {
    expect(score(expectation as Expectation)).toMatchObject({ pass, timeToDetectMs });
  });

  it.each([
    [{ noEvent: 'block.started', scope: 'DE-BE' }, true],
    [{ noEvent: 'block.started', scope: 'RU-MOW' }, false],
    [{ noEvent: 'block.started', scope: 'RU-MOW', target: 'telegram' }, true],
    [{ noEvent: 'throttle.started', scope: 'RU-MOW' }, true],
    // Bounded in time: "no second block.started after the lift" holds, a block inside the window fails.
    [{ noEvent: 'block.started', scope: 'RU-MOW', after: 120_000 }, true],
    [{ noEvent: 'block.started', scope: 'RU-MOW', within: 60_000 }, true],
    [{ noEvent: 'block.started', scope: 'RU-MOW', after: 60_000, within: 30_000 }, false],
  ] as const)('noEvent %j → pass %s', (expectation, pass) => {
    expect(score(expectation as Expectation)).toMatchObject({ pass, timeToDetectMs: null });
  });

  describe('a country in noEvent', () => {
    const networks = [
      { id: 'RU-MOW', asn: 64500 },
      { id: 'RU-SPE', asn: 64501 },
      { id: 'DE-BE', asn: 64502 },
    ];
    const timeline = (...events: EventSample[]): ObservedTimeline => ({ states: [], events });
    const noBlockInRu = { noEvent: 'block.started', scope: 'RU' } as const;

    // A country has no block events of its own: before, "no block.started in RU" could never fail.
    it('stands for its regions and their ASNs in block, throttle and stall events', () => {
      const inRegion = timeline(event(75_000, 'block.started', 'RU-MOW', 'whatsapp'));
      expect(scoreExpectation(noBlockInRu, 0, inRegion, DURATION, networks)).toMatchObject({
        pass: false,
        detail: 'block.started in RU-MOW for whatsapp at 75s',
      });
      const inAsn = timeline(event(75_000, 'block.started', 'AS64501', 'whatsapp'));
      expect(scoreExpectation(noBlockInRu, 0, inAsn, DURATION, networks).pass).toBe(false);
      const elsewhere = timeline(
        event(75_000, 'block.started', 'DE-BE', 'whatsapp'),
        event(75_000, 'block.started', 'AS64502', 'whatsapp'),
      );
      expect(scoreExpectation(noBlockInRu, 0, elsewhere, DURATION, networks).pass).toBe(true);
    });

    it('keeps outage events exact: a region that goes down is not its country going down', () => {
      const regionDown = timeline(event(75_000, 'outage.started', 'RU-SPE', null));
      const noOutageInRu = { noEvent: 'outage.started', scope: 'RU' } as const;
      expect(scoreExpectation(noOutageInRu, 0, regionDown, DURATION, networks).pass).toBe(true);
      const countryDown = timeline(event(75_000, 'outage.started', 'RU', null));
      expect(scoreExpectation(noOutageInRu, 0, countryDown, DURATION, networks).pass).toBe(false);
    });
  });

  it.each([
    [{ noState: 'blocked', scope: 'DE-BE' }, true],
    [{ noState: 'blocked', scope: 'RU-MOW', target: 'whatsapp' }, false],
    [{ noState: 'blocked', scope: 'RU-MOW', target: 'telegram' }, true],
    // Bounded in time: blocked was shown from 75 s to 190 s only.
    [{ noState: 'blocked', scope: 'RU-MOW', after: 200_000 }, true],
    [{ noState: 'blocked', scope: 'RU-MOW', within: 60_000 }, true],
    [{ noState: 'blocked', scope: 'RU-MOW', after: 100_000, within: 30_000 }, false],
  ] as const)('noState %j → pass %s', (expectation, pass) => {
    expect(score(expectation as Expectation)).toMatchObject({ pass, timeToDetectMs: null });
  });

  it('says what was seen instead when a state expectation fails', () => {
    const failed = score({ scope: 'RU-MOW', target: 'whatsapp', state: 'throttled' });
    expect(failed.detail).toBe('last seen accessible at 190s');
  });
});

describe('confusionTable', () => {
  it('pairs each state expectation with the last state shown in its window', () => {
    const table = confusionTable(
      [
        { scope: 'RU-MOW', target: 'whatsapp', state: 'blocked', within: 150_000 },
        { scope: 'RU-MOW', target: 'whatsapp', state: 'blocked' },
        { scope: 'DE-BE', target: 'whatsapp', state: 'accessible' },
        { scope: 'DE-BE', target: 'telegram', state: 'accessible' },
        { noEvent: 'block.started', scope: 'DE-BE' },
      ],
      TIMELINE,
      DURATION,
    );
    expect(table.rows.map((row) => row.observed)).toEqual(['blocked', 'accessible', 'accessible', null]);
    expect(table.counts).toEqual({
      blocked: { blocked: 1, accessible: 1 },
      accessible: { accessible: 1, unobserved: 1 },
    });
  });
});
