import type { RedisClient } from '@reachmap/queue';
import {
  AgentStandings,
  initialOutageState,
  initialScopeState,
  LastAssessment,
  OutageMachineState,
  RegionSlices,
  type ScopeEventDraft,
  ScopeMachineState,
} from '@reachmap/rollup';
import { newPrefixedId, type ScopeEvent, type ScopeKey } from '@reachmap/schema';
import { z } from 'zod';
import { partitionOf, storeKeys } from './keys.ts';
import { runScript } from './scripts.ts';
import type { StoreConfig } from './store-config.ts';

/**
 * A (region or ASN, target)'s machine as stored, with what its last window showed so the map can say
 * how many agents stand behind an `accessible` too. `version` mirrors `machine.version` at the top
 * level, where compare-and-set-state.lua reads it.
 */
export const StoredScopeState = z.object({
  version: z.number().int().min(0),
  machine: ScopeMachineState,
  last_window: z.object({ agents: z.number().int().min(0), all_simulated: z.boolean() }),
  /** What the last window was judged from, to judge it again when late runs arrive (rollup late-runs). */
  last_assessment: LastAssessment.optional(),
  /**
   * ASN scopes: how each agent stands against its peers; discounted agents' runs do not count. Regions:
   * the standings of the agents their ASNs discount, borrowed when the last window was judged.
   */
  agent_standings: AgentStandings.optional(),
  /** ASN scopes heard from several regions: one machine per region, for the map's `partial`. */
  region_slices: RegionSlices.optional(),
});
export type StoredScopeState = z.infer<typeof StoredScopeState>;

export class CorruptStateError extends Error {
  override readonly name = 'CorruptStateError';
}

function parseStored<T>(schema: z.ZodType<T>, key: string, text: string): T {
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new CorruptStateError(`${key} does not hold a valid state: ${parsed.error.message}`);
  return parsed.data;
}

export async function readStoredScopeState(
  redis: RedisClient,
  config: StoreConfig,
  scope: ScopeKey,
  target: string,
): Promise<StoredScopeState> {
  const key = storeKeys(partitionOf(scope, config.partitions)).scopeState(scope, target);
  const text = await redis.get(key);
  if (text === null) {
    return {
      version: 0,
      machine: initialScopeState(scope, target),
      last_window: { agents: 0, all_simulated: false },
    };
  }
  return parseStored(StoredScopeState, key, text);
}

export async function readOutageMachine(
  redis: RedisClient,
  config: StoreConfig,
  scope: ScopeKey,
): Promise<OutageMachineState> {
  const key = storeKeys(partitionOf(scope, config.partitions)).outageState(scope);
  const text = await redis.get(key);
  return text === null ? initialOutageState(scope) : parseStored(OutageMachineState, key, text);
}

/** W3C trace context (`traceparent`, `tracestate`) of the span that emitted an event; empty without tracing. */
export type TraceCarrier = Record<string, string>;

/**
 * Gives each drafted event its id; the id is minted only for the write that stores it. The trace
 * context rides in a field of its own, so webhook deliveries join the trace and the event stays as
 * the API serves it.
 */
function streamEntries(drafts: readonly ScopeEventDraft[], trace: TraceCarrier) {
  return drafts.map((draft) => {
    const event: ScopeEvent = { id: newPrefixedId('evt'), ...draft };
    return {
      id: event.id,
      type: event.type,
      scope: event.scope,
      target: event.target ?? '',
      json: JSON.stringify(event),
      trace: JSON.stringify(trace),
    };
  });
}

/**
 * Stores a scope transition and appends its events, only if the state is still at `expectedVersion`.
 * Returns false when another writer got there first: re-read, recompute with the rollup machine, retry.
 */
export async function compareAndSetScopeState(
  redis: RedisClient,
  config: StoreConfig,
  expectedVersion: number,
  next: StoredScopeState,
  events: readonly ScopeEventDraft[],
  trace: TraceCarrier = {},
): Promise<boolean> {
  const { scope, target } = next.machine;
  const keys = storeKeys(partitionOf(scope, config.partitions));
  const written = await runScript(
    redis,
    'rmCompareAndSetState',
    [keys.scopeState(scope, target), keys.events],
    [
      String(expectedVersion),
      JSON.stringify(next),
      String(config.eventsMaxLen),
      JSON.stringify(streamEntries(events, trace)),
    ],
  );
  return written === 1;
}

/**
 * Stores an outage transition like `compareAndSetScopeState`, and appends the window's agents heard
 * to the heartbeat history in the same call, so every window enters the baseline exactly once.
 */
export async function compareAndSetOutageState(
  redis: RedisClient,
  config: StoreConfig,
  expectedVersion: number,
  next: OutageMachineState,
  events: readonly ScopeEventDraft[],
  agentsHeard: number,
  trace: TraceCarrier = {},
): Promise<boolean> {
  const keys = storeKeys(partitionOf(next.scope, config.partitions));
  const written = await runScript(
    redis,
    'rmCompareAndSetState',
    [keys.outageState(next.scope), keys.events, keys.heartbeatHistory(next.scope)],
    [
      String(expectedVersion),
      JSON.stringify(next),
      String(config.eventsMaxLen),
      JSON.stringify(streamEntries(events, trace)),
      String(agentsHeard),
      String(config.heartbeatHistoryCap),
    ],
  );
  return written === 1;
}
