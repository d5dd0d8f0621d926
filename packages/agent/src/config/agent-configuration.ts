import type { KeyObject } from 'node:crypto';
import { verifyAgentConfig } from '@reachmap/agent-auth';
import { type AgentSchedule, SignedAgentConfig } from '@reachmap/schema';
import { type Catalogue, catalogueVersionTag, guardCatalogue, verifyCatalogue } from '@reachmap/targets';
import { z } from 'zod';

/** A configuration that passed every check: what rounds are scheduled and measured with. */
export interface AgentConfiguration {
  issuedAt: string;
  schedule: AgentSchedule;
  refreshS: number;
  catalogue: Catalogue;
  /** Recorded on every measurement as `target.catalogue_version`. */
  catalogueVersion: string;
}

export type ConfigurationCheck =
  | { ok: true; configuration: AgentConfiguration; signed: SignedAgentConfig }
  | {
      ok: false;
      reason: 'malformed' | 'bad_signature' | 'wrong_agent' | 'bad_catalogue' | 'catalogue_refused';
      message: string;
    };

/**
 * Checks a configuration from the collector (or the copy on disk): shape, the collector's signature
 * with the key pinned at enrolment, that it is meant for this agent, then the catalogue inside it
 * (its own signature by the same key, its schema, and the lab/real guard of packages/targets).
 */
export function checkConfiguration(
  document: unknown,
  expected: { agentId: string; collectorKey: KeyObject },
  env: NodeJS.ProcessEnv = process.env,
): ConfigurationCheck {
  const parsed = SignedAgentConfig.safeParse(document);
  if (!parsed.success) return { ok: false, reason: 'malformed', message: z.prettifyError(parsed.error) };
  const signed = parsed.data;
  if (!verifyAgentConfig(signed, expected.collectorKey)) {
    return {
      ok: false,
      reason: 'bad_signature',
      message: 'the configuration is not signed by the collector pinned at enrolment',
    };
  }
  if (signed.config.agent_id !== expected.agentId) {
    return {
      ok: false,
      reason: 'wrong_agent',
      message: `the configuration is for ${signed.config.agent_id}, not ${expected.agentId}`,
    };
  }
  const verified = verifyCatalogue(signed.config.catalogue, expected.collectorKey);
  if (!verified.ok)
    return { ok: false, reason: 'bad_catalogue', message: `${verified.reason}: ${verified.message}` };
  let catalogue: Catalogue;
  try {
    catalogue = guardCatalogue(verified.catalogue, env);
  } catch (error) {
    return { ok: false, reason: 'catalogue_refused', message: (error as Error).message };
  }
  return {
    ok: true,
    signed,
    configuration: {
      issuedAt: signed.config.issued_at,
      schedule: signed.config.schedule,
      refreshS: signed.config.refresh_s,
      catalogue,
      catalogueVersion: catalogueVersionTag(catalogue),
    },
  };
}
