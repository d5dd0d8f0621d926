import type { RedisClient } from '@reachmap/queue';
import {
  type EventType,
  type Method,
  type ScopeEvent,
  type ScopeLevel,
  type ScopeState,
  type ScopeStateName,
  scopeLevelOf,
} from '@reachmap/schema';
import { eventOfEntry, eventStreamKeys } from '../events/stream-entry.ts';

/** How far back a historical map looks per partition; older transitions are not replayed. */
export const MAP_AT_EVENT_WINDOW = 10_000;

const STARTED_STATE: Partial<Record<EventType, ScopeStateName>> = {
  'block.started': 'blocked',
  'throttle.started': 'throttled',
  'stall.started': 'stalled',
  'outage.started': 'outage',
};

function stateAfter(event: ScopeEvent): ScopeState {
  const started = STARTED_STATE[event.type];
  return {
    scope: event.scope,
    target: event.target ?? '',
    state: started ?? 'accessible',
    method: started === undefined ? null : (event.method as Method | null),
    confidence: event.confidence,
    since: started === undefined ? event.at : event.since,
    agents: event.agents,
    simulated: event.simulated,
  };
}

/**
 * The map as it stood at `atMs`, replayed from the event streams: each scope shows the state its
 * latest transition before `atMs` left it in (an outage overrides the target's state while open).
 * Scopes without a transition in the last MAP_AT_EVENT_WINDOW events are not listed, and derived
 * country states (`partial`) are not reconstructed: historical maps are for regions and ASNs.
 */
export async function mapAt(
  redis: RedisClient,
  partitions: number,
  request: { level: ScopeLevel; target: string; atMs: number },
): Promise<ScopeState[]> {
  const latest = new Map<string, ScopeState>();
  const outages = new Map<string, ScopeState>();
  for (const key of eventStreamKeys(partitions)) {
    const entries = await redis.xrevrange(key, String(request.atMs), '-', 'COUNT', MAP_AT_EVENT_WINDOW);
    for (const [, fields] of entries) {
      const event = eventOfEntry(fields);
      if (event === null || scopeLevelOf(event.scope) !== request.level) continue;
      if (event.target === null) {
        if (!outages.has(event.scope))
          outages.set(event.scope, { ...stateAfter(event), target: request.target });
      } else if (event.target === request.target && !latest.has(event.scope)) {
        latest.set(event.scope, stateAfter(event));
      }
    }
  }
  for (const [scope, outage] of outages) {
    if (outage.state === 'outage' || !latest.has(scope)) latest.set(scope, outage);
  }
  return [...latest.values()].sort((a, b) => a.scope.localeCompare(b.scope));
}
