import type { RedisClient } from '@reachmap/queue';
import {
  heartbeatBaseline,
  MAX_WITNESSES,
  type OutageSignals,
  type RollupConfig,
  summarizeWindow,
  type WindowRun,
  type WindowSummary,
} from '@reachmap/rollup';
import type { ScopeKey } from '@reachmap/schema';
import { decodeControlEntry, decodeWindowRun, heartbeatAgent } from './entries.ts';
import { partitionOf, storeKeys } from './keys.ts';
import type { StoreConfig } from './store-config.ts';

export interface WindowSpan {
  startMs: number;
  endMs: number;
}

export function isoSpan(span: WindowSpan) {
  return {
    window_start: new Date(span.startMs).toISOString(),
    window_end: new Date(span.endMs).toISOString(),
  };
}

/** Members scored in [start, end): the window is half-open like the rollup buckets. */
async function membersIn(redis: RedisClient, key: string, span: WindowSpan): Promise<string[]> {
  return await redis.zrangebyscore(key, span.startMs, `(${span.endMs}`);
}

/** The exact summary of one (region or ASN, target) over a window, folded by @reachmap/rollup. */
/** The runs of one (scope, target) window, as counted so far (by start time). */
export async function readWindowRuns(
  redis: RedisClient,
  config: StoreConfig,
  scope: ScopeKey,
  target: string,
  span: WindowSpan,
): Promise<WindowRun[]> {
  const keys = storeKeys(partitionOf(scope, config.partitions));
  return (await membersIn(redis, keys.window(scope, target), span)).map(decodeWindowRun);
}

/** How many runs one (scope, target) window holds so far, without reading them. */
export async function countWindowRuns(
  redis: RedisClient,
  config: StoreConfig,
  scope: ScopeKey,
  target: string,
  span: WindowSpan,
): Promise<number> {
  const keys = storeKeys(partitionOf(scope, config.partitions));
  return await redis.zcount(keys.window(scope, target), span.startMs, `(${span.endMs}`);
}

export async function readWindowSummary(
  redis: RedisClient,
  config: StoreConfig,
  scope: ScopeKey,
  target: string,
  span: WindowSpan,
): Promise<WindowSummary> {
  const keys = storeKeys(partitionOf(scope, config.partitions));
  const runs = (await membersIn(redis, keys.window(scope, target), span)).map(decodeWindowRun);
  return summarizeWindow({ scope, target, ...isoSpan(span) }, runs);
}

/** Agents heard in a scope over a window (any measurement of theirs counts as a heartbeat). */
export async function readAgentsHeard(
  redis: RedisClient,
  config: StoreConfig,
  scope: ScopeKey,
  span: WindowSpan,
): Promise<number> {
  const keys = storeKeys(partitionOf(scope, config.partitions));
  const members = await membersIn(redis, keys.heartbeats(scope), span);
  return new Set(members.map(heartbeatAgent)).size;
}

/** Heartbeats and control health of a scope over a window: the outage rule's input. */
export async function readOutageSignals(
  redis: RedisClient,
  config: StoreConfig,
  rollup: RollupConfig,
  scope: ScopeKey,
  span: WindowSpan,
): Promise<OutageSignals> {
  const keys = storeKeys(partitionOf(scope, config.partitions));
  const [agentsHeard, history, controlMembers] = await Promise.all([
    readAgentsHeard(redis, config, scope, span),
    redis.lrange(keys.heartbeatHistory(scope), 0, -1),
    membersIn(redis, keys.controls(scope), span),
  ]);
  const entries = controlMembers.map(decodeControlEntry);
  // A round failed when none of its controls got through (docs/techniques.md: domestic and foreign both fail).
  const roundWorked = new Map<string, { agentId: string; worked: boolean }>();
  for (const entry of entries) {
    const round = roundWorked.get(entry.roundId);
    roundWorked.set(entry.roundId, {
      agentId: entry.agentId,
      worked: (round?.worked ?? false) || entry.worked,
    });
  }
  const agents = new Set<string>();
  const healthyAgents = new Set<string>();
  let runsFailed = 0;
  for (const { agentId, worked } of roundWorked.values()) {
    agents.add(agentId);
    if (worked) healthyAgents.add(agentId);
    else runsFailed += 1;
  }
  const witnesses = entries
    .filter((entry) => !entry.worked)
    .map((entry) => entry.measurementId)
    .sort()
    .reverse()
    .slice(0, MAX_WITNESSES);
  return {
    scope,
    ...isoSpan(span),
    heartbeats: { agents_heard: agentsHeard, baseline: heartbeatBaseline(history.map(Number), rollup) },
    controls: {
      agents: agents.size,
      agents_healthy: healthyAgents.size,
      runs: roundWorked.size,
      runs_failed: runsFailed,
    },
    witnesses,
    all_simulated: entries.length > 0 && entries.every((entry) => entry.simulated),
  };
}
