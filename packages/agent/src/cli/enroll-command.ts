import type { AgentNetwork, NetworkProposal } from '@reachmap/schema';
import { isEnrolled } from '../identity/agent-identity.ts';
import { enrollAgent, fetchNetworkProposal, fetchOwnAddress } from '../identity/enroll-agent.ts';
import {
  type DeclaredNetwork,
  describeView,
  type NetworkBasis,
  resolveEnrolmentNetwork,
} from '../identity/enrolment-network.ts';
import { resolveStateDir } from '../identity/state-dir.ts';
import { AGENT_SOFTWARE } from '../software.ts';
import type { EnrollOptions } from './agent-commands.ts';
import { type CliIo, EXIT, UsageError } from './cli-command.ts';

/** `reachmap-agent enroll` (declared in agent-commands.ts). */
export async function runEnroll(values: EnrollOptions, io: CliIo): Promise<number> {
  const { collector, token, label } = values;
  const declared = declaredNetwork(values);
  const stateDir = resolveStateDir(values.stateDir, io.env);
  if (await isEnrolled(stateDir)) {
    io.err(
      `reachmap-agent: ${stateDir} already holds an enrolled agent; use another --state-dir or remove it to enrol anew`,
    );
    return EXIT.failure;
  }
  const proposal = await detectNetwork(collector, values.addressEcho, io.err);
  const resolved = resolveEnrolmentNetwork(declared, proposal);
  if (!resolved.ok) throw new UsageError(resolved.message);
  const { network } = resolved;
  const outcome = await enrollAgent({
    stateDir,
    collectorUrl: collector,
    token,
    network,
    networkOverrideReason: resolved.overrideReason,
    agentAddress: proposal?.agent_view?.address ?? null,
    software: AGENT_SOFTWARE,
    ...(label === undefined ? {} : { label }),
  });
  if (!outcome.ok) {
    io.err(`reachmap-agent: ${outcome.message}`);
    return EXIT.failure;
  }
  io.out(`enrolled as ${outcome.identity.agent_id}`);
  io.out(`  collector   ${outcome.identity.collector_url}`);
  io.out(`  network     ${describeNetwork(network)} (${describeBasis(resolved.basis, proposal)})`);
  if (proposal !== null && proposal.source === 'geoip') {
    io.out(`  seen by     the collector at ${describeView(proposal)}`);
    io.out(
      `              ${proposal.agent_view === null ? 'no control endpoint (no address echo offered)' : `a control endpoint at ${describeView(proposal.agent_view)}`}`,
    );
  }
  io.out(`  state dir   ${stateDir}`);
  if (outcome.configProblem !== null) {
    io.err(`warning: ${outcome.configProblem}; "run" will fetch a new configuration`);
  } else {
    io.out(`  catalogue   ${outcome.catalogueVersion}`);
  }
  io.out('next: "reachmap-agent once" to check, then start the service ("reachmap-agent run")');
  return EXIT.ok;
}

/**
 * The collector's proposal for this machine and, when an address echo is offered (or given), the
 * agent's own view beside it. An echo that fails costs only the own view, with a warning.
 */
async function detectNetwork(
  collector: string,
  echoOption: string | undefined,
  warn: (line: string) => void,
): Promise<NetworkProposal | null> {
  const proposal = await fetchNetworkProposal(collector);
  const echoUrl = echoOption ?? proposal?.address_echo_url ?? null;
  if (proposal === null || proposal.source === 'none' || echoUrl === null) return proposal;
  const own = await fetchOwnAddress(echoUrl);
  if (!own.ok) {
    warn(`warning: no own view of this machine's address: ${own.message}`);
    return proposal;
  }
  return (await fetchNetworkProposal(collector, own.address)) ?? proposal;
}

function describeBasis(basis: NetworkBasis, proposal: NetworkProposal | null): string {
  const seen = proposal === null ? '' : ` at ${proposal.address}`;
  switch (basis) {
    case 'detected':
      return `detected by the collector${seen}`;
    case 'confirmed':
      return `declared, as the collector detected${seen}`;
    case 'overridden':
      return `declared; the collector detected ${proposal?.country}${proposal?.region ? ` / ${proposal.region}` : ''} AS${proposal?.asn}${seen}`;
    case 'declared':
      return 'declared; the collector cannot detect it';
  }
}

function declaredNetwork(values: EnrollOptions): DeclaredNetwork {
  const optional = (value: string | undefined) =>
    value !== undefined && value.trim() !== '' ? value.trim() : null;
  const asnText = optional(values.asn)?.replace(/^AS/i, '') ?? null;
  if (asnText !== null && !/^\d+$/.test(asnText))
    throw new UsageError(`--asn must be a number, got "${asnText}"`);
  return {
    country: optional(values.country)?.toUpperCase() ?? null,
    asn: asnText === null ? null : Number(asnText),
    region: optional(values.region)?.toUpperCase() ?? null,
    networkType: optional(values.networkType) ?? 'unknown',
    overrideReason: optional(values.overrideReason),
  };
}

export function describeNetwork(network: AgentNetwork): string {
  return `${network.country}${network.region === null ? '' : ` / ${network.region}`}, AS${network.asn}, ${network.network_type}`;
}
