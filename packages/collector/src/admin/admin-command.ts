import { type CommandUnknownOpts, Option, setExitCode } from '@reachmap/command-line';
import { parseDurationMs } from '@reachmap/config';
import type { RedisClient, WithRedis } from '@reachmap/queue';
import { type AgentRecord, setAddressExemption } from '../agents/agent-store.ts';
import { createEnrolmentToken } from './create-token.ts';
import { listAgents } from './list-agents.ts';
import { listDeadLetters } from './list-dead-letters.ts';
import { revokeAgent } from './revoke-agent.ts';

/** What each command prints: its answer on stdout (a token, a table) or why it failed. */
type Print = (line: string) => void;

const DEFAULT_TOKEN_EXPIRY = '24h';

/**
 * Adds the collector's admin commands to `admin` (`reachmap admin`): enrolment tokens, agents and
 * dead letters. Each resolves to the exit code (0 ok, 1 failed, 2 usage error) through `setExitCode`.
 */
export function addAdminCommands(admin: CommandUnknownOpts, withRedis: WithRedis, print: Print): void {
  const token = admin.command('token').description('one-time enrolment tokens for agents');
  token
    .command('create')
    .description('create a one-time enrolment token (shown once; only its hash is stored)')
    .requiredOption('--label <label>', 'who or where the agent is, e.g. "ru-msk-fixed-1"')
    .option('--expires <duration>', 'how long the token works, e.g. 30m, 24h or 7d', DEFAULT_TOKEN_EXPIRY)
    .action(async (options, command) =>
      setExitCode(
        command,
        await withRedis((redis) => tokenCreate(redis, options.label, options.expires, print)),
      ),
    );

  const agents = admin.command('agents').description('enrolled agents');
  agents
    .command('list')
    .description('list enrolled agents: declared and observed network, flags, dropped measurements')
    .option('--json', 'print JSON')
    .action(async (options, command) =>
      setExitCode(command, await withRedis((redis) => agentsList(redis, options.json === true, print))),
    );
  agents
    .command('revoke')
    .description('refuse every further request of an agent (403)')
    .argument('<agent-id>', 'the agent, e.g. agt_…')
    .action(async (agentId, _options, command) =>
      setExitCode(command, await withRedis((redis) => agentsRevoke(redis, agentId, print))),
    );
  agents
    .command('exempt')
    .description(
      "stop comparing the country of the agent's connecting address with its measurements (it " +
        'uploads through a VPN or Tor exit abroad); the enrolled network still binds (docs/security.md)',
    )
    .argument('<agent-id>', 'the agent, e.g. agt_…')
    .option('--reason <text>', 'why, e.g. "uploads via Tor"')
    .addOption(new Option('--clear', 'compare its address again').conflicts('reason'))
    .action(async (agentId, options, command) =>
      setExitCode(
        command,
        await withRedis((redis) =>
          agentsExempt(redis, agentId, options.clear === true ? null : options.reason, print),
        ),
      ),
    );

  admin
    .command('dead-letters')
    .description('measurements the aggregator could not count')
    .command('list')
    .description('the newest dead letters and how many there were in all')
    .option('--json', 'print JSON')
    .action(async (options, command) =>
      setExitCode(command, await withRedis((redis) => deadLettersList(redis, options.json === true, print))),
    );
}

async function tokenCreate(
  redis: RedisClient,
  label: string,
  expires: string,
  print: Print,
): Promise<number> {
  if (label.trim() === '') {
    print('token create needs --label LABEL (who or where the agent is, e.g. "ru-msk-fixed-1")');
    return 2;
  }
  const expiresInMs = parseDurationMs(expires);
  if (expiresInMs === undefined || expiresInMs <= 0) {
    print(`--expires must be a duration such as 30m, 24h or 7d (got "${expires}")`);
    return 2;
  }
  const created = await createEnrolmentToken(redis, { label: label.trim(), expiresInMs });
  print(`token:   ${created.token}`);
  print(`label:   ${created.label}`);
  print(`expires: ${created.expiresAt}`);
  print('The token works once. Pass it to the agent: reachmap-agent enroll --token <token>');
  return 0;
}

async function agentsList(redis: RedisClient, json: boolean, print: Print): Promise<number> {
  const agents = await listAgents(redis);
  if (json) {
    print(JSON.stringify(agents, null, 2));
    return 0;
  }
  if (agents.length === 0) {
    print('no agents enrolled; create a token with: reachmap admin token create --label LABEL');
    return 0;
  }
  const rows = agents.map(agentRow);
  const header = [
    'ID',
    'LABEL',
    'DECLARED',
    'OBSERVED',
    'FLAGS',
    'VERSION',
    'UPDATE',
    'SPOOL DROPPED',
    'LAST SEEN',
  ];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  for (const row of [header, ...rows]) {
    print(
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
  return 0;
}

function agentRow(agent: AgentRecord): string[] {
  const declared = `${agent.network.country} AS${agent.network.asn}`;
  const observed =
    agent.observed === null ? '-' : `${agent.observed.country ?? '??'} AS${agent.observed.asn ?? '?'}`;
  const flags = [
    agent.revoked_at === null ? '' : 'revoked',
    agent.observed?.mismatch === true ? 'geo-mismatch' : '',
    agent.simulated ? 'simulated' : '',
    agent.network_override_reason === null ? '' : 'network-overridden',
    agent.agent_view?.agrees === false ? 'views-differ' : '',
    agent.address_exemption === null ? '' : 'address-exempt',
  ]
    .filter((flag) => flag !== '')
    .join(',');
  return [
    agent.id,
    agent.label ?? agent.token_label,
    declared,
    observed,
    flags === '' ? '-' : flags,
    agent.running_version ?? agent.software.version,
    agent.update === null
      ? '-'
      : `${agent.update.state}${agent.update.reason === null ? '' : ` (${agent.update.reason})`}`,
    String(agent.spool_dropped_total),
    agent.last_seen_at ?? 'never',
  ];
}

async function agentsRevoke(redis: RedisClient, agentId: string, print: Print) {
  const result = await revokeAgent(redis, agentId);
  if (!result.ok) {
    print(`no agent ${agentId}; see reachmap admin agents list`);
    return 1;
  }
  print(`revoked ${agentId}; its next request is refused`);
  return 0;
}

async function agentsExempt(
  redis: RedisClient,
  agentId: string,
  reason: string | null | undefined,
  print: Print,
) {
  if (reason !== null && (reason === undefined || reason.trim() === '')) {
    print('agents exempt needs --reason TEXT (or --clear), e.g. --reason "uploads via Tor"');
    return 2;
  }
  if (!(await setAddressExemption(redis, agentId, reason === null ? null : reason.trim()))) {
    print(`no agent ${agentId}; see reachmap admin agents list`);
    return 1;
  }
  print(
    reason === null
      ? `${agentId}: its connecting address is compared with its measurements again`
      : `${agentId}: its connecting address is no longer compared with its measurements (${reason.trim()})`,
  );
  return 0;
}

async function deadLettersList(redis: RedisClient, json: boolean, print: Print) {
  const { total, newest } = await listDeadLetters(redis);
  if (json) {
    print(JSON.stringify({ total, newest }, null, 2));
    return 0;
  }
  print(`${total} dead letters in all; the newest ${newest.length}:`);
  for (const letter of newest) {
    print(
      `${letter.failed_at}  ${letter.measurement_id}  ${letter.agent_id}  ${letter.batch_id}  ${letter.error}`,
    );
  }
  return 0;
}
