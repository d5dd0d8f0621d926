import { parseArgs } from 'node:util';
import { parseDurationMs } from '@reachmap/config';
import type { RedisClient } from '@reachmap/queue';
import { type AgentRecord, setAddressExemption } from '../agents/agent-store.ts';
import { createEnrolmentToken } from './create-token.ts';
import { listAgents } from './list-agents.ts';
import { listDeadLetters } from './list-dead-letters.ts';
import { revokeAgent } from './revoke-agent.ts';

export const ADMIN_USAGE = `Usage:
  reachmap admin token create --label LABEL [--expires 24h]
      Create a one-time enrolment token (shown once; only its hash is stored).
  reachmap admin agents list [--json]
      List enrolled agents: declared and observed network, flags, dropped measurements.
  reachmap admin agents revoke AGENT_ID
      Refuse every further request of an agent (403).
  reachmap admin agents exempt AGENT_ID --reason TEXT | --clear
      Stop comparing the country of the agent's connecting address with its measurements (it uploads
      through a VPN or Tor exit abroad); the enrolled network still binds (docs/security.md).
  reachmap admin dead-letters list [--json]
      Measurements the aggregator could not count (newest first) and how many there were in all.
  reachmap admin keys create|list|revoke …
      Analysts' API keys (reachmap admin keys --help).`;

const DEFAULT_TOKEN_EXPIRY = '24h';

/** Runs one admin command; returns the process exit code (0 ok, 1 failed, 2 usage error). */
export async function runAdminCommand(
  args: string[],
  redis: RedisClient,
  print: (line: string) => void,
): Promise<number> {
  let parsed: ReturnType<typeof parseAdminArgs>;
  try {
    parsed = parseAdminArgs(args);
  } catch (error) {
    print(`${(error as Error).message}\n\n${ADMIN_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [resource, action, ...rest] = positionals;
  if (values.help === true || resource === undefined) {
    print(ADMIN_USAGE);
    return 0;
  }
  const command = `${resource} ${action ?? ''}`.trim();
  switch (command) {
    case 'token create':
      return await tokenCreate(redis, values.label, values.expires ?? DEFAULT_TOKEN_EXPIRY, print);
    case 'agents list':
      return await agentsList(redis, values.json === true, print);
    case 'agents revoke':
      return await agentsRevoke(redis, rest[0], print);
    case 'agents exempt':
      return await agentsExempt(redis, rest[0], values.clear === true ? null : values.reason, print);
    case 'dead-letters list':
      return await deadLettersList(redis, values.json === true, print);
    default:
      print(`unknown admin command "${command}"\n\n${ADMIN_USAGE}`);
      return 2;
  }
}

function parseAdminArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      label: { type: 'string' },
      expires: { type: 'string' },
      json: { type: 'boolean' },
      reason: { type: 'string' },
      clear: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function tokenCreate(
  redis: RedisClient,
  label: string | undefined,
  expires: string,
  print: (line: string) => void,
): Promise<number> {
  if (label === undefined || label.trim() === '') {
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

async function agentsList(redis: RedisClient, json: boolean, print: (line: string) => void): Promise<number> {
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

async function agentsRevoke(redis: RedisClient, agentId: string | undefined, print: (line: string) => void) {
  if (agentId === undefined) {
    print('agents revoke needs the agent id, e.g. reachmap admin agents revoke agt_…');
    return 2;
  }
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
  agentId: string | undefined,
  reason: string | null | undefined,
  print: (line: string) => void,
) {
  if (agentId === undefined || (reason !== null && (reason === undefined || reason.trim() === ''))) {
    print('agents exempt needs the agent id and --reason TEXT (or --clear), e.g. --reason "uploads via Tor"');
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

async function deadLettersList(redis: RedisClient, json: boolean, print: (line: string) => void) {
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
