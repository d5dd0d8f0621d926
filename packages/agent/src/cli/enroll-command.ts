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
import { type CliCommand, EXIT, type OptionValues, UsageError } from './cli-command.ts';

export const enrollCommand: CliCommand = {
  name: 'enroll',
  summary: 'register this agent with a collector (once per machine)',
  usage: `reachmap-agent enroll --collector URL --token T [--country CC --asn N] [options]

Generates this agent's Ed25519 key (kept in the state directory, mode 0600), registers it with the
collector using a one-time token from "reachmap admin token create", pins the collector's public key
and stores the location and the first configuration.

The collector proposes the country, region and ASN of the address it sees this machine at (from its
GeoIP database) and of the address a control endpoint sees it at (the agent's own view: a reflector's
/address, offered by the collector or given with --address-echo). Leave --country, --asn and --region
out to take the proposal, repeat them to confirm it, or declare others with --override-reason; when
the two views disagree, declare with a reason. A collector without a GeoIP database proposes
nothing: then --country and --asn are required.

Options:
  --collector URL       the collector's base URL, e.g. https://collector.example.org
  --token T             one-time enrolment token
  --country CC          ISO 3166-1 alpha-2 country the agent measures from, e.g. RU
  --asn N               the autonomous system number of this network, e.g. 12389
  --override-reason R   why the declared country or ASN differs from the collector's proposal
  --region CODE         ISO 3166-2 region, e.g. RU-MOW (default: the detected one, if any)
  --address-echo URL    where to learn this machine's public address (default: the collector's offer)
  --network-type TYPE   fixed | mobile | datacenter | unknown (default: unknown)
  --label L             a name for this agent in the collector's list (optional)
  --state-dir DIR       state directory (default: $REACHMAP_AGENT_DIR, /var/lib/reachmap-agent as root,
                        else $XDG_STATE_HOME/reachmap-agent)
  -h, --help            show this help`,
  options: {
    collector: { type: 'string' },
    token: { type: 'string' },
    country: { type: 'string' },
    asn: { type: 'string' },
    'override-reason': { type: 'string' },
    region: { type: 'string' },
    'address-echo': { type: 'string' },
    'network-type': { type: 'string' },
    label: { type: 'string' },
  },
  async run(values, io) {
    const collector = requiredString(values, 'collector');
    const token = requiredString(values, 'token');
    const declared = declaredNetwork(values);
    const stateDir = resolveStateDir(values['state-dir'] as string | undefined, io.env);
    const label = values.label as string | undefined;
    if (await isEnrolled(stateDir)) {
      io.err(
        `reachmap-agent: ${stateDir} already holds an enrolled agent; use another --state-dir or remove it to enrol anew`,
      );
      return EXIT.failure;
    }
    const proposal = await detectNetwork(collector, values['address-echo'] as string | undefined, io.err);
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
  },
};

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

function requiredString(values: OptionValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function declaredNetwork(values: OptionValues): DeclaredNetwork {
  const optional = (name: string) => {
    const value = values[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  };
  const asnText = optional('asn')?.replace(/^AS/i, '') ?? null;
  if (asnText !== null && !/^\d+$/.test(asnText))
    throw new UsageError(`--asn must be a number, got "${asnText}"`);
  return {
    country: optional('country')?.toUpperCase() ?? null,
    asn: asnText === null ? null : Number(asnText),
    region: optional('region')?.toUpperCase() ?? null,
    networkType: optional('network-type') ?? 'unknown',
    overrideReason: optional('override-reason'),
  };
}

export function describeNetwork(network: AgentNetwork): string {
  return `${network.country}${network.region === null ? '' : ` / ${network.region}`}, AS${network.asn}, ${network.network_type}`;
}
