import {
  Asn,
  EventType,
  Layer,
  Method,
  RegionCode,
  ScopeKey,
  ScopeStateName,
  TargetId,
} from '@reachmap/schema';
import { z } from 'zod';
import { CensorRule } from './censor-rule.ts';
import { Duration } from './quantities.ts';

/** A set of agents behind one censor: one ASN in one ISO 3166-2 region (the country is derived). */
export const ScenarioRegion = z.strictObject({
  id: RegionCode,
  asn: Asn,
  /** Each agent gets its own namespace (or loopback identity in user space); 2 is the quorum minimum. */
  agents: z.number().int().min(1).max(60),
  /** Rules in order; the first matching rule decides a flow. */
  censor: z.array(CensorRule).default([]),
});
export type ScenarioRegion = z.infer<typeof ScenarioRegion>;

/** Replaces a region's rules at `at` after the start. `asn` picks one when several share the region id. */
export const ScenarioPhase = z.strictObject({
  at: Duration,
  region: RegionCode,
  asn: Asn.optional(),
  censor: z.array(CensorRule),
});
export type ScenarioPhase = z.infer<typeof ScenarioPhase>;

const Timing = {
  /** The expectation is checked only from this long after the start (default 0). */
  after: Duration.optional(),
  /** It must hold (or the event must arrive) within this long after `after`; default: by the end. */
  within: Duration.optional(),
};

export const StateExpectation = z.strictObject({
  scope: ScopeKey,
  target: TargetId,
  state: ScopeStateName,
  layer: Layer.optional(),
  method: Method.optional(),
  ...Timing,
});
export type StateExpectation = z.infer<typeof StateExpectation>;

export const EventExpectation = z.strictObject({
  scope: ScopeKey,
  /** Absent: any target (and outage events, which have none). */
  target: TargetId.optional(),
  event: EventType,
  method: Method.optional(),
  ...Timing,
});
export type EventExpectation = z.infer<typeof EventExpectation>;

/**
 * No event of this type for the scope (and target, if given) in [after, after + within]; by default
 * the whole run. `{ noEvent: block.started, after: 130s }` says "no second block after the lift".
 */
export const NoEventExpectation = z.strictObject({
  noEvent: EventType,
  scope: ScopeKey,
  target: TargetId.optional(),
  ...Timing,
});
export type NoEventExpectation = z.infer<typeof NoEventExpectation>;

/**
 * The scope never shows this state for the target (or for any target, if none is given) in [after,
 * after + within]: "the country is never `outage` while one of its regions is down".
 */
export const NoStateExpectation = z.strictObject({
  noState: ScopeStateName,
  scope: ScopeKey,
  target: TargetId.optional(),
  ...Timing,
});
export type NoStateExpectation = z.infer<typeof NoStateExpectation>;

export type Expectation = StateExpectation | EventExpectation | NoEventExpectation | NoStateExpectation;

/** Dispatches on the key that names the kind, so errors point into the right shape. */
export const Expectation = z.unknown().transform((value, ctx): Expectation => {
  const has = (key: string) => typeof value === 'object' && value !== null && key in value;
  const schema = has('noEvent')
    ? NoEventExpectation
    : has('noState')
      ? NoStateExpectation
      : has('event')
        ? EventExpectation
        : StateExpectation;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }
  return z.NEVER;
});

export const ScenarioShape = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a lowercase slug such as "sni-reset-whatsapp"'),
  description: z.string().min(1).max(500),
  duration: Duration,
  /** How often each agent runs a round. */
  interval: Duration,
  regions: z.array(ScenarioRegion).min(1).max(20),
  phases: z.array(ScenarioPhase).default([]),
  expect: z.array(Expectation).min(1),
});
export type Scenario = z.infer<typeof ScenarioShape>;
