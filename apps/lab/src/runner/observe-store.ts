import type { RedisClient } from '@reachmap/queue';
import { readEvents, readScopeState, type StoreConfig } from '@reachmap/store';
import type { ObservedTimeline } from './score-expectations.ts';

export interface StoreObserver {
  /** Reads states and events once now (also done every `everyMs`). */
  poll(): Promise<void>;
  timeline(): ObservedTimeline;
  /** The longest a due window was seen waiting to be judged, over every poll (ms). */
  longestEvaluationLagMs(): number;
  stop(): void;
}

export interface StoreObserverOptions {
  redis: RedisClient;
  store: StoreConfig;
  /** Scopes × targets whose states are sampled. */
  scopes: readonly string[];
  targets: readonly string[];
  startedAt: number;
  everyMs: number;
  /** The stack's aggregator's lag now: a miss while it was far behind is the lab's load, not detection. */
  evaluationLagMs: () => number;
  onError: (error: Error) => void;
}

/**
 * Samples the map's state of every (scope, target) and the event stream, as the API would serve
 * them, recording each state change and event with its time since the scenario started.
 */
export function observeStore(options: StoreObserverOptions): StoreObserver {
  const observed: ObservedTimeline = { states: [], events: [] };
  const lastState = new Map<string, string>();
  let cursor = '0';
  let running: Promise<void> | null = null;
  let longestLagMs = 0;

  const pollOnce = async () => {
    const atMs = Date.now() - options.startedAt;
    longestLagMs = Math.max(longestLagMs, options.evaluationLagMs());
    for (const scope of options.scopes) {
      for (const target of options.targets) {
        const state = await readScopeState(options.redis, options.store, scope, target);
        const key = `${scope} ${target}`;
        const shown = `${state.state}/${state.method ?? ''}`;
        if (lastState.get(key) === shown) continue;
        lastState.set(key, shown);
        observed.states.push({ atMs, scope, target, state: state.state, method: state.method });
      }
    }
    for (;;) {
      const page = await readEvents(options.redis, options.store, { cursor, limit: 500 });
      for (const { event } of page.events) {
        observed.events.push({
          atMs: Math.max(0, Date.parse(event.at) - options.startedAt),
          type: event.type,
          scope: event.scope,
          target: event.target,
          method: event.method,
        });
      }
      if (page.cursor === cursor) break;
      cursor = page.cursor;
    }
  };
  const poll = () => {
    running ??= pollOnce().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    poll().catch((error: Error) => options.onError(error));
  }, options.everyMs);
  return {
    poll,
    timeline: () => ({ states: [...observed.states], events: [...observed.events] }),
    longestEvaluationLagMs: () => longestLagMs,
    stop: () => clearInterval(timer),
  };
}
