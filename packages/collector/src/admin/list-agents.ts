import type { RedisClient } from '@reachmap/queue';
import { type AgentRecord, listAgentRecords } from '../agents/agent-store.ts';

/** `reachmap admin agents list`: every enrolled agent with its declared and observed network. */
export async function listAgents(redis: RedisClient): Promise<AgentRecord[]> {
  return await listAgentRecords(redis);
}
