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
  /** This machine's public address as a control endpoint echoed it (the agent's own view). */
  agentAddress?: string | null;
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
    ...(options.agentAddress ? { agent_address: options.agentAddress } : {}),
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

/**
 * Asks the collector where it places this machine, and with `agentAddress` where it places that
 * address too (the agent's own view); null when it cannot say (an older collector, no answer).
 */
export async function fetchNetworkProposal(
  collectorUrl: string,
  agentAddress: string | null = null,
): Promise<NetworkProposal | null> {
  const query = agentAddress === null ? '' : `?agent_address=${encodeURIComponent(agentAddress)}`;
  const response = await callCollector(collectorUrl, {
    method: 'GET',
    path: `/v1/agents/network-proposal${query}`,
    timeoutMs: 30_000,
  });
  if (!response.ok) return null;
  const proposal = NetworkProposal.safeParse(response.body);
  return proposal.success ? proposal.data : null;
}

const EchoedAddress = z.object({ address: z.ipv4().or(z.ipv6()) });

/**
 * This machine's public address as a control endpoint (a reflector's `/address`) sees it: the agent's
 * own view, independent of the path to the collector. A message when the endpoint gives none.
 */
export async function fetchOwnAddress(
  echoUrl: string,
): Promise<{ ok: true; address: string } | { ok: false; message: string }> {
  const response = await callCollector(echoUrl, { method: 'GET', path: echoUrl, timeoutMs: 15_000 });
  if (!response.ok) return { ok: false, message: `${echoUrl}: ${response.message}` };
  const echoed = EchoedAddress.safeParse(response.body);
  return echoed.success
    ? { ok: true, address: echoed.data.address }
    : { ok: false, message: `${echoUrl} did not answer {"address": "…"}` };
}
