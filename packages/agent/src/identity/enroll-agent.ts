import { exportPublicKey, generateAgentKeyPair, importPublicKey } from '@reachmap/agent-auth';
import { type AgentNetwork, type EnrollRequest, EnrollResponse, NetworkProposal } from '@reachmap/schema';
import { z } from 'zod';
import { callCollector } from '../collector/collector-client.ts';
import { ConfigurationStore } from '../config/configuration-store.ts';
import { type AgentIdentity, isEnrolled, loadIdentity, saveIdentity } from './agent-identity.ts';

export interface EnrollOptions {
  stateDir: string;
  collectorUrl: string;
  token: string;
  network: AgentNetwork;
  label?: string;
  /** Why the declared network differs from the collector's proposal (identity/enrolment-network.ts). */
  networkOverrideReason?: string | null;
  software: { name: string; version: string };
}

export type EnrollOutcome =
  | { ok: true; identity: AgentIdentity; catalogueVersion: string | null; configProblem: string | null }
  | { ok: false; message: string };

/**
 * Registers this agent: a fresh Ed25519 key pair (the private half never leaves the state
 * directory), the declared network, and the collector's public key pinned for every later
 * configuration. The first configuration comes with the answer.
 */
export async function enrollAgent(options: EnrollOptions): Promise<EnrollOutcome> {
  if (await isEnrolled(options.stateDir)) {
    return {
      ok: false,
      message: `${options.stateDir} already holds an enrolled agent; use another --state-dir or remove it to enrol anew`,
    };
  }
  const keys = generateAgentKeyPair();
  const request: EnrollRequest = {
    token: options.token,
    public_key: exportPublicKey(keys.publicKey),
    network: options.network,
    software: options.software,
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(options.networkOverrideReason ? { network_override_reason: options.networkOverrideReason } : {}),
  };
  const response = await callCollector(options.collectorUrl, {
    method: 'POST',
    path: '/v1/agents/enroll',
    body: Buffer.from(JSON.stringify(request)),
    headers: { 'content-type': 'application/json' },
    timeoutMs: 30_000,
  });
  if (!response.ok)
    return { ok: false, message: `enrolment refused (${response.code}): ${response.message}` };
  const enrolment = EnrollResponse.safeParse(response.body);
  if (!enrolment.success) {
    return {
      ok: false,
      message: `the collector's enrolment answer is malformed: ${z.prettifyError(enrolment.error)}`,
    };
  }
  try {
    importPublicKey(enrolment.data.collector_public_key);
  } catch (error) {
    return { ok: false, message: `the collector sent an unusable public key: ${(error as Error).message}` };
  }
  await saveIdentity(
    options.stateDir,
    {
      agent_id: enrolment.data.agent_id,
      collector_url: options.collectorUrl,
      collector_public_key: enrolment.data.collector_public_key,
      network: options.network,
      label: options.label ?? null,
      enrolled_at: new Date().toISOString(),
    },
    keys.privateKey,
  );
  const identity = await loadIdentity(options.stateDir);
  // The agent is enrolled either way (the token is spent); a configuration problem is fixed by the next refresh.
  const accepted = await new ConfigurationStore(options.stateDir, identity).accept(enrolment.data.config);
  return accepted.ok
    ? { ok: true, identity, catalogueVersion: accepted.configuration.catalogueVersion, configProblem: null }
    : { ok: true, identity, catalogueVersion: null, configProblem: accepted.message };
}

/** Asks the collector where it places this machine; null when it cannot say (an older collector, no answer). */
export async function fetchNetworkProposal(collectorUrl: string): Promise<NetworkProposal | null> {
  const response = await callCollector(collectorUrl, {
    method: 'GET',
    path: '/v1/agents/network-proposal',
    timeoutMs: 30_000,
  });
  if (!response.ok) return null;
  const proposal = NetworkProposal.safeParse(response.body);
  return proposal.success ? proposal.data : null;
}
