import { signAgentConfig } from '@reachmap/agent-auth';
import type { AgentConfig, AgentSchedule, SignedAgentConfig } from '@reachmap/schema';
import type { CollectorSigningKey } from '../signing/collector-key.ts';

/** Supplies the signed catalogue document agents measure (packages/targets builds and signs it). */
export type CatalogueProvider = () => Promise<Record<string, unknown>>;

export interface AgentConfigSource {
  schedule: AgentSchedule;
  refreshS: number;
  catalogue: CatalogueProvider;
  signingKey: CollectorSigningKey;
}

/** A fresh configuration for one agent, signed by the collector. */
export async function signedConfigFor(
  agentId: AgentConfig['agent_id'],
  source: AgentConfigSource,
  now: number,
): Promise<SignedAgentConfig> {
  const config: AgentConfig = {
    agent_id: agentId,
    issued_at: new Date(now).toISOString(),
    schedule: source.schedule,
    catalogue: await source.catalogue(),
    refresh_s: source.refreshS,
  };
  return signAgentConfig(config, source.signingKey.privateKey);
}
