import { join } from 'node:path';
import { ConfigurationStore } from '../config/configuration-store.ts';
import { loadIdentity } from '../identity/agent-identity.ts';
import { resolveStateDir } from '../identity/state-dir.ts';
import { AGENT_SOFTWARE } from '../software.ts';
import { inspectSpool } from '../spool/inspect-spool.ts';
import { type AgentStatusFile, readAgentStatus } from '../status/agent-status.ts';
import type { StatusOptions } from './agent-commands.ts';
import { type CliIo, EXIT } from './cli-command.ts';
import { describeNetwork } from './enroll-command.ts';
import { SPOOL_DIR } from './run-command.ts';

/** `reachmap-agent status` (declared in agent-commands.ts). */
export async function runStatus(values: StatusOptions, io: CliIo): Promise<number> {
  const stateDir = resolveStateDir(values.stateDir, io.env);
  const identity = await loadIdentity(stateDir);
  const configuration = new ConfigurationStore(stateDir, identity);
  const stored = await configuration.loadStored();
  const spool = await inspectSpool(join(stateDir, SPOOL_DIR));
  const status = await readAgentStatus(stateDir);
  const report = {
    agent_id: identity.agent_id,
    label: identity.label,
    network: identity.network,
    collector: identity.collector_url,
    state_dir: stateDir,
    catalogue: configuration.current?.catalogueVersion ?? null,
    configuration_problem: stored !== null && !stored.ok ? stored.message : null,
    schedule: configuration.current?.schedule ?? null,
    spool: {
      pending_measurements: spool.pendingMeasurements,
      bytes: spool.bytesOnDisk,
      dropped_unreported: spool.dropped,
    },
    version: status?.software_version ?? AGENT_SOFTWARE.version,
    update: status?.update ?? null,
    last_submit_at: status?.last_submit_at ?? null,
    delivered_total: status?.delivered_total ?? 0,
    enrolled_at: identity.enrolled_at,
    last_round: status?.last_round ?? null,
    recent_rounds: status?.recent_rounds ?? [],
    recent_errors: status?.recent_errors ?? [],
  };
  if (values.json === true) {
    io.out(JSON.stringify(report, null, 2));
    return EXIT.ok;
  }
  io.out(`agent        ${report.agent_id}${report.label === null ? '' : ` (${report.label})`}`);
  io.out(`enrolled     ${report.enrolled_at}`);
  io.out(`network      ${describeNetwork(identity.network)}`);
  io.out(`collector    ${report.collector}`);
  io.out(`version      ${report.version}`);
  io.out(`update       ${describeUpdate(report.update)}`);
  io.out(`state dir    ${stateDir}`);
  io.out(
    `catalogue    ${report.catalogue ?? 'none yet'}${report.configuration_problem === null ? '' : ` (stored one refused: ${report.configuration_problem})`}`,
  );
  if (report.schedule !== null)
    io.out(
      `schedule     every ${report.schedule.interval_s} s (+ up to ${report.schedule.jitter_s} s jitter)`,
    );
  io.out(
    `spool        ${spool.pendingMeasurements} measurements waiting, ${(spool.bytesOnDisk / 1024).toFixed(1)} KiB on disk`,
  );
  if (spool.dropped !== null)
    io.out(`dropped      ${spool.dropped.count} since ${spool.dropped.since} (spool full), not yet reported`);
  io.out(`last submit  ${report.last_submit_at ?? 'never'} (${report.delivered_total} delivered in total)`);
  if (report.recent_rounds.length === 0) io.out('rounds       none yet');
  for (const round of report.recent_rounds) {
    io.out(
      `round        ${round.started_at}: ${round.measurements} measurements, ${round.local_errors} local errors${roundTiming(round)}`,
    );
    const width = Math.max(0, ...round.verdicts.map((verdict) => verdict.target.length));
    for (const verdict of round.verdicts) io.out(`  ${verdict.target.padEnd(width)}  ${verdict.hint}`);
  }
  if (report.recent_errors.length === 0) io.out('errors       none recently');
  for (const error of report.recent_errors)
    io.out(`error        ${error.at} [${error.where}] ${error.message}`);
  return EXIT.ok;
}

function describeUpdate(update: AgentStatusFile['update']): string {
  if (update === null) return 'not checked yet';
  const served = update.served_version === null ? '' : ` (collector serves ${update.served_version})`;
  const at = `, checked ${update.checked_at}`;
  switch (update.state) {
    case 'current':
      return `up to date${served}${at}`;
    case 'installed':
      return `installed ${update.served_version}, restarting into it${at}`;
    case 'pinned':
      return `pinned: staying on this version${served}${at}`;
    case 'off':
      return `self-update off${at}`;
    default:
      return `${update.state}${served}: ${update.reason}: ${update.message}${at}`;
  }
}

/** ", 44 s of a 240 s deadline", or the warning that the round ran into it (docs/operators.md, "Slow lines"). */
function roundTiming(round: {
  duration_s: number | null;
  deadline_s: number | null;
  hit_deadline: boolean;
}): string {
  if (round.duration_s === null || round.deadline_s === null) return '';
  const timing = `, ${round.duration_s} s of a ${round.deadline_s} s deadline`;
  return round.hit_deadline
    ? `${timing}: RAN INTO THE DEADLINE, probes were cut (line too slow for the schedule?)`
    : timing;
}
