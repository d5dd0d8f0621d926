import type { FuzzEntry, FuzzWorld } from './generate-world.ts';
import { type InterferenceState, SERVICE_TARGETS, type ServiceTarget } from './techniques.ts';

/** An expectation as a scenario file writes it; times in seconds from the start. */
export type RawExpectation = Record<string, string | number>;

/**
 * Detection bounds of the catalogue (docs/lab.md): a block shows within 90 s of its onset (the first
 * 60 s window, its 15 s grace and a round of slack), a throttle or stall within 120 s (slower rounds);
 * an `*.ended` within 150 s of the lift (two clean windows plus grace); an outage opens within 120 s
 * and ends within 160 s (its first collapsed window; two windows without collapse).
 */
export const DETECTION_BOUND_S: Record<InterferenceState, number> = {
  blocked: 90,
  throttled: 120,
  stalled: 120,
};
const ENDED_BOUND_S = 150;
/** A clean target shows `accessible` within 150 s, as in the catalogue (congested-uplink, flaky-line). */
const CLEAN_BOUND_S = 150;
const OUTAGE_STARTED_BOUND_S = 120;
const OUTAGE_ENDED_BOUND_S = 160;
/**
 * A target down everywhere shows `outage` within two windows and the grace of going down: the first
 * window may be thin where a blackhole's timeouts lengthen the rounds (target-down-everywhere, 152 s
 * under the suite's load).
 */
const TARGET_DOWN_BOUND_S = 150;
/**
 * Once the target is back, no scope may stay in its outage: checked from two windows and a grace
 * after (the lab applies phases up to ~20 s late under load, which can keep the first window after
 * the return failing), for the run's last seconds. Not `accessible`: a clean ISP of 2 agents on a
 * congested line makes 3 runs a window and shows `insufficient` (fuzz world 56, 2026-12-05).
 */
const TARGET_BACK_S = 140;
const TARGET_BACK_CHECK_S = 10;
/** A region's outage is judged until one window after it ends (late runs, the recovery streak). */
const AFTER_OUTAGE_S = 60;
/**
 * The smallest ISP that can discount a liar: the liar and 2 peers (`consistency.minPeers`,
 * docs/methodology.md, "Agent consistency"). A smaller one stays `insufficient` for the lied-about target.
 */
export const MIN_AGENTS_TO_DISCOUNT_A_LIAR = 3;

const STARTED_EVENT: Record<InterferenceState, string> = {
  blocked: 'block.started',
  throttled: 'throttle.started',
  stalled: 'stall.started',
};
const ENDED_EVENT: Record<InterferenceState, string> = {
  blocked: 'block.ended',
  throttled: 'throttle.ended',
  stalled: 'stall.ended',
};
const STARTED_EVENTS = Object.values(STARTED_EVENT);

const seconds = (value: number) => `${value}s`;

interface Scope {
  key: string;
  level: 'asn' | 'region' | 'country';
  entries: number[];
}

function scopesOf(entries: readonly FuzzEntry[]): Scope[] {
  const scopes = new Map<string, Scope>();
  const add = (key: string, level: Scope['level'], index: number) => {
    const scope = scopes.get(key) ?? { key, level, entries: [] };
    scope.entries.push(index);
    scopes.set(key, scope);
  };
  entries.forEach((entry, index) => {
    add(`AS${entry.asn}`, 'asn', index);
    add(entry.region, 'region', index);
    add(entry.region.slice(0, 2), 'country', index);
  });
  return [...scopes.values()];
}

/** Whether the world's censor touches `target`'s flows in entry `index` at some point of the run. */
function touches(world: FuzzWorld, index: number, target: ServiceTarget): boolean {
  const entry = world.entries[index];
  return entry?.censoring === true && (target === world.target || world.technique.touchesAll === true);
}

/**
 * The outcome the world's ground truth calls for, as scenario expectations (the invariants of issue 17):
 *
 * - a (scope, target) the censor never touches opens no block, throttle or stall (liars included: a lie
 *   is always about a target its ISP leaves alone, so every lie lands here), and an ASN shows it
 *   `accessible` (but for the target its liar lies about);
 * - a (scope, target) every ISP of which is censored shows the technique's state and method family
 *   within the bound after each onset, and its `*.ended` after each lift (ASNs and regions; a country
 *   has no machine of its own, so only its derived state);
 * - a scope where some ISPs censor and others do not shows `partial` (regions with several ISPs and
 *   countries, when the censor does not change during the run);
 * - a region or ASN that goes down opens and closes its outage, and its country never shows `outage`
 *   nor opens one while a sibling is live.
 */
export function deriveExpectations(world: FuzzWorld): RawExpectation[] {
  const expectations: RawExpectation[] = [];
  const { state } = world.technique;
  const bound = DETECTION_BOUND_S[state];
  const layer: RawExpectation = world.technique.layer === null ? {} : { layer: world.technique.layer };
  const staticCensor =
    world.schedule !== 'onset' && world.schedule !== 'lift' && world.schedule !== 'flapping';

  // A scope with an ISP that goes down may show its state only once that ISP is back: a window or
  // less before the outage is too little evidence to demand a verdict from (world 20261400: an ASN of
  // 2 agents on 8 Mbit/s lines, down from 60 s, stayed `insufficient` in its only window). Its bound
  // then runs from the outage's end; showing earlier passes too (a state sample is a change).
  // Likewise a target that goes down everywhere: a scope thin in its first window may judge it only
  // after the target is back, as the target-wide rule freezes it in the meantime.
  const outage = world.outage;
  const targetDown = world.targetDown;
  const boundFor = (scope: Scope, bound: number, target?: ServiceTarget): number =>
    outage !== null && scope.entries.some((index) => outage.entries.includes(index))
      ? outage.span.to + bound
      : targetDown !== null && target === targetDown.target
        ? targetDown.span.to + bound
        : bound;

  for (const scope of scopesOf(world.entries)) {
    const cleanTargets = SERVICE_TARGETS.filter((target) =>
      scope.entries.every((index) => !touches(world, index, target)),
    );
    if (cleanTargets.length === SERVICE_TARGETS.length) {
      for (const event of STARTED_EVENTS) expectations.push({ noEvent: event, scope: scope.key });
    } else {
      for (const target of cleanTargets) {
        for (const event of STARTED_EVENTS) expectations.push({ noEvent: event, scope: scope.key, target });
      }
    }
    // A clean ISP must also *say* so: without it a pipeline starved of evidence (every state
    // `insufficient`) would pass every `noEvent`. A liar's target is left out, its ISP may need
    // windows to discount the liar. So is a target down everywhere: rule 5 demands its `outage` and
    // its end, and after the return a clean ISP of 2 agents on a congested line has two windows of
    // 2-4 runs to reach the floor of 4 (world 41205007: 3 and 3, `insufficient`, 2026-12-05).
    if (scope.level === 'asn') {
      const lied = scope.entries.map((index) => world.entries[index]?.lie?.target);
      const judged = cleanTargets.filter(
        (candidate) => !lied.includes(candidate) && candidate !== targetDown?.target,
      );
      for (const target of judged) {
        expectations.push({
          scope: scope.key,
          target,
          state: 'accessible',
          within: seconds(boundFor(scope, CLEAN_BOUND_S, target)),
        });
      }
    }
    for (const target of SERVICE_TARGETS) {
      if (cleanTargets.includes(target)) continue;
      const everyIsp = scope.entries.every((index) => touches(world, index, target));
      if (!everyIsp) {
        // Several ISPs disagree: only a region with several ISPs or a country derives `partial`. It
        // rests on a clean ISP showing `accessible`, which an ISP of 2 agents, one lying about this
        // target, never does: the liar has one peer, too few to be discounted, and the ISP stays
        // `insufficient` (docs/methodology.md, "Agent consistency", limits). With no other clean ISP
        // the scope rightly shows the censoring ISPs' state alone, with its coverage
        // (docs/state-machine.md, "Country"; fuzz world 41207021).
        const pooled = scope.level === 'country' || (scope.level === 'region' && scope.entries.length > 1);
        const cleanIspDecides = scope.entries.some((index) => {
          const entry = world.entries[index];
          return (
            !touches(world, index, target) &&
            !(entry?.lie?.target === target && entry.agents < MIN_AGENTS_TO_DISCOUNT_A_LIAR)
          );
        });
        if (pooled && staticCensor && cleanIspDecides) {
          expectations.push({
            scope: scope.key,
            target,
            state: 'partial',
            ...layer,
            within: seconds(boundFor(scope, bound + 30, target)),
          });
        }
        continue;
      }
      for (const [i, span] of world.censorOn.entries()) {
        if (i > 0 && scope.level === 'country') continue;
        const onset: RawExpectation = {
          scope: scope.key,
          target,
          ...(span.from > 0 ? { after: seconds(span.from) } : {}),
        };
        expectations.push(
          i === 0
            ? { ...onset, state, ...layer, within: seconds(boundFor(scope, bound, target)) }
            : { ...onset, event: STARTED_EVENT[state], within: seconds(bound + 40) },
        );
        if (Number.isFinite(span.to) && scope.level !== 'country') {
          expectations.push({
            scope: scope.key,
            target,
            event: ENDED_EVENT[state],
            after: seconds(span.to),
            within: seconds(ENDED_BOUND_S),
          });
        }
      }
    }
  }

  if (targetDown !== null) expectations.push(...targetDownExpectations(world, targetDown));

  if (world.outage !== null) {
    const { span } = world.outage;
    const down = world.outage.entries;
    const downScopes = scopesOf(world.entries).filter(
      (scope) => scope.level !== 'country' && scope.entries.every((index) => down.includes(index)),
    );
    for (const scope of downScopes) {
      expectations.push(
        {
          scope: scope.key,
          event: 'outage.started',
          after: seconds(span.from),
          within: seconds(OUTAGE_STARTED_BOUND_S),
        },
        {
          scope: scope.key,
          event: 'outage.ended',
          after: seconds(span.to),
          within: seconds(OUTAGE_ENDED_BOUND_S),
        },
        {
          noEvent: 'block.started',
          scope: scope.key,
          after: seconds(span.from),
          within: seconds(span.to - span.from + AFTER_OUTAGE_S),
        },
      );
    }
    const countries = new Set(down.map((index) => world.entries[index]?.region.slice(0, 2) ?? ''));
    for (const country of countries) {
      expectations.push(
        { noEvent: 'outage.started', scope: country },
        {
          noState: 'outage',
          scope: country,
          after: seconds(span.from),
          within: seconds(span.to - span.from + AFTER_OUTAGE_S),
        },
      );
    }
  }
  return expectations;
}

/**
 * A target down everywhere is an outage of the target, not censorship and not a network outage
 * (docs/state-machine.md, "Target outages"): every region, ASN and country the censor leaves it to
 * shows it `outage` while it is down (the clean scopes' `noEvent`s above forbid any block) and no
 * longer once it is back, no scope opens a network outage, and an interference the censor keeps
 * on throughout never ends (an open block is kept through the freeze).
 */
function targetDownExpectations(
  world: FuzzWorld,
  targetDown: NonNullable<FuzzWorld['targetDown']>,
): RawExpectation[] {
  const expectations: RawExpectation[] = [];
  const { span, target: down } = targetDown;
  const { state } = world.technique;
  for (const scope of scopesOf(world.entries)) {
    expectations.push({ noEvent: 'outage.started', scope: scope.key });
    if (scope.entries.every((index) => !touches(world, index, down))) {
      expectations.push({
        scope: scope.key,
        target: down,
        state: 'outage',
        after: seconds(span.from),
        within: seconds(TARGET_DOWN_BOUND_S),
      });
      expectations.push({
        noState: 'outage',
        scope: scope.key,
        target: down,
        after: seconds(span.to + TARGET_BACK_S),
        within: seconds(TARGET_BACK_CHECK_S),
      });
    }
    // A country has no machine, so no events of its own to keep.
    if (scope.level === 'country') continue;
    for (const target of SERVICE_TARGETS) {
      if (scope.entries.every((index) => touches(world, index, target))) {
        expectations.push({ noEvent: ENDED_EVENT[state], scope: scope.key, target });
      }
    }
  }
  return expectations;
}

/** The run must outlast every bounded expectation by a few seconds of sampling; at least 180 s. */
export function durationFor(expectations: readonly RawExpectation[]): number {
  const parse = (value: string | number | undefined) =>
    typeof value === 'string' ? Number.parseInt(value, 10) : 0;
  const ends = expectations.map((expectation) => parse(expectation.after) + parse(expectation.within));
  return Math.max(180, Math.ceil((Math.max(0, ...ends) + 10) / 10) * 10);
}
