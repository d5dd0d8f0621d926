import { COLLECTOR_KEYS } from '@reachmap/collector/redis-keys';
import type { RedisClient } from '@reachmap/queue';
import { AgentNetwork, type NetworkType, type ScopeKey, scopesOfNetwork } from '@reachmap/schema';

// Reads the collector's agent records (their keys are the collector's: `COLLECTOR_KEYS`), hashes with a
// JSON `network` field. Only the declared network and activity are read; ids, keys and labels never
// leave this module.

const ACTIVE_WINDOW_MS = 24 * 3_600_000;

export interface AgentCensusRow {
  scope: ScopeKey;
  network_type: NetworkType;
  /** Enrolled, not revoked. */
  agents: number;
  /** Of those, heard from in the last 24 h. */
  active_24h: number;
}

/** Agents per (scope, network type): how much evidence stands behind a scope, without saying whose. */
export async function agentCensus(redis: RedisClient, now: number): Promise<AgentCensusRow[]> {
  const ids = await redis.smembers(COLLECTOR_KEYS.agents);
  const rows = new Map<string, AgentCensusRow>();
  for (const id of ids) {
    const [network = null, revokedAt = null, lastSeenAt = null] = await redis.hmget(
      COLLECTOR_KEYS.agent(id),
      'network',
      'revoked_at',
      'last_seen_at',
    );
    if (network === null || revokedAt !== null) continue;
    const parsed = AgentNetwork.safeParse(JSON.parse(network));
    if (!parsed.success) continue;
    const active = lastSeenAt !== null && now - Date.parse(lastSeenAt) <= ACTIVE_WINDOW_MS;
    for (const scope of scopesOfNetwork(parsed.data)) {
      const key = `${scope}|${parsed.data.network_type}`;
      const row = rows.get(key) ?? {
        scope,
        network_type: parsed.data.network_type,
        agents: 0,
        active_24h: 0,
      };
      row.agents += 1;
      if (active) row.active_24h += 1;
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort(
    (a, b) => a.scope.localeCompare(b.scope) || a.network_type.localeCompare(b.network_type),
  );
}
