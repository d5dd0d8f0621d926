import type { RedisClient } from '@reachmap/queue';
import { markAgentRevoked } from '../agents/agent-store.ts';

/** `reachmap admin agents revoke ID`: the agent's next request is refused with 403. */
export async function revokeAgent(
  redis: RedisClient,
  agentId: string,
  now: number = Date.now(),
): Promise<{ ok: true } | { ok: false; reason: 'unknown_agent' }> {
  return (await markAgentRevoked(redis, agentId, new Date(now).toISOString()))
    ? { ok: true }
    : { ok: false, reason: 'unknown_agent' };
}
