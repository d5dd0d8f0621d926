import { type AgentNetwork, AgentNetwork as AgentNetworkSchema } from '@reachmap/schema';
import { z } from 'zod';
import { enrollAgent } from '../identity/enroll-agent.ts';
import { resolveStateDir } from '../identity/state-dir.ts';
import { AGENT_SOFTWARE } from '../software.ts';
import { type CliCommand, EXIT, type OptionValues, UsageError } from './cli-command.ts';

export const enrollCommand: CliCommand = {
  name: 'enroll',
  summary: 'register this agent with a collector (once per machine)',
  usage: `reachmap-agent enroll --collector URL --token T --country CC --asn N [options]

Generates this agent's Ed25519 key (kept in the state directory, mode 0600), registers it with the
collector using a one-time token from "reachmap admin token create", pins the collector's public key
and stores the declared location and the first configuration.

Options:
  --collector URL       the collector's base URL, e.g. https://collector.example.org
  --token T             one-time enrolment token
  --country CC          ISO 3166-1 alpha-2 country the agent measures from, e.g. RU
  --asn N               the autonomous system number of this network, e.g. 12389
  --region CODE         ISO 3166-2 region, e.g. RU-MOW (optional)
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
    region: { type: 'string' },
    'network-type': { type: 'string' },
    label: { type: 'string' },
  },
  async run(values, io) {
    const collector = requiredString(values, 'collector');
    const token = requiredString(values, 'token');
    const network = declaredNetwork(values);
    const stateDir = resolveStateDir(values['state-dir'] as string | undefined, io.env);
    const label = values.label as string | undefined;
    const outcome = await enrollAgent({
      stateDir,
      collectorUrl: collector,
      token,
      network,
      software: AGENT_SOFTWARE,
      ...(label === undefined ? {} : { label }),
    });
    if (!outcome.ok) {
      io.err(`reachmap-agent: ${outcome.message}`);
      return EXIT.failure;
    }
    io.out(`enrolled as ${outcome.identity.agent_id}`);
    io.out(`  collector   ${outcome.identity.collector_url}`);
    io.out(`  network     ${describeNetwork(network)}`);
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

function requiredString(values: OptionValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function declaredNetwork(values: OptionValues): AgentNetwork {
  const asnText = requiredString(values, 'asn').replace(/^AS/i, '');
  const parsed = AgentNetworkSchema.safeParse({
    country: requiredString(values, 'country').toUpperCase(),
    region: typeof values.region === 'string' ? values.region.toUpperCase() : null,
    asn: /^\d+$/.test(asnText) ? Number(asnText) : Number.NaN,
    network_type: values['network-type'] ?? 'unknown',
  });
  if (!parsed.success) throw new UsageError(`invalid location: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function describeNetwork(network: AgentNetwork): string {
  return `${network.country}${network.region === null ? '' : ` / ${network.region}`}, AS${network.asn}, ${network.network_type}`;
}
