import type { MeasurementSource } from '@reachmap/schema';
import type { ConfigurationStore } from '../config/configuration-store.ts';
import type { AgentIdentity } from '../identity/agent-identity.ts';
import { runRound } from '../rounds/round-runner.ts';
import { summarizeRound } from '../rounds/round-summary.ts';
import type { Spool } from '../spool/spool.ts';
import type { AgentStatusRecorder } from '../status/agent-status.ts';
import { sleepUnlessAborted } from '../submission/abortable-sleep.ts';
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from '../submission/backoff.ts';
import { RejectedLog } from '../submission/rejected-log.ts';
import { Submitter } from '../submission/submitter.ts';
import { checkForUpdate } from '../update/self-update.ts';
import type { UpdatePolicy } from '../update/update-policy.ts';
import type { AgentExtensions } from './agent-extensions.ts';
import type { Logger } from './agent-logger.ts';
import { firstRoundDelay, nextRoundDelay } from './round-timing.ts';

/** Time in-flight probes get to finish after SIGTERM before they are interrupted and spooled as they are. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export interface AgentRuntimeOptions extends AgentExtensions {
  stateDir: string;
  identity: AgentIdentity;
  software: { name: string; version: string };
  spool: Spool;
  configuration: ConfigurationStore;
  status: AgentStatusRecorder;
  logger: Logger;
  source: Extract<MeasurementSource, 'agent' | 'simulated'>;
  shutdownGraceMs?: number;
  backoff?: BackoffPolicy;
  ca?: string[];
  /** Signed self-update with each configuration refresh; absent, the agent never updates itself. */
  update?: { policy: UpdatePolicy; bundlePath: string | null };
}

/** `restart`: a new signed program replaced this one's file; the process exits so it starts again. */
export type AgentExit = 'stopped' | 'restart';

/**
 * The long-running agent: keeps its configuration fresh, measures a round every interval and submits
 * the spool, until `stop` aborts or a self-update installed a new program. Then it stops starting
 * anything, gives running probes the grace period, spools what they produced and returns.
 */
export async function runAgent(options: AgentRuntimeOptions, externalStop: AbortSignal): Promise<AgentExit> {
  const updated = new AbortController();
  const stop = AbortSignal.any([externalStop, updated.signal]);
  const hardStop = new AbortController();
  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  let graceTimer: NodeJS.Timeout | undefined;
  const onStop = () => {
    options.logger.info({ graceMs }, 'shutting down');
    graceTimer = setTimeout(() => hardStop.abort(), graceMs);
  };
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });

  const submitter = new Submitter({
    collectorUrl: options.identity.collector_url,
    caller: { agentId: options.identity.agent_id, privateKey: options.identity.privateKey },
    spool: options.spool,
    rejectedLog: new RejectedLog(options.stateDir),
    status: options.status,
    logger: options.logger,
    backoff: options.backoff,
  });
  try {
    await Promise.all([
      keepConfigurationFresh(options, stop, () => updated.abort()),
      measureRounds(options, stop, hardStop.signal),
      submitter.run(stop, hardStop.signal),
    ]);
  } finally {
    clearTimeout(graceTimer);
    stop.removeEventListener('abort', onStop);
  }
  return updated.signal.aborted && !externalStop.aborted ? 'restart' : 'stopped';
}

async function keepConfigurationFresh(
  options: AgentRuntimeOptions,
  stop: AbortSignal,
  onUpdateInstalled: () => void,
): Promise<void> {
  const { configuration, logger, status } = options;
  let failures = 0;
  while (!stop.aborted) {
    // First the program, so the refresh reports this check's outcome to the collector at once.
    if (options.update !== undefined && (await updateIfOffered(options, options.update, stop))) {
      onUpdateInstalled();
      return;
    }
    const report = { version: options.software.version, update: status.current.update };
    const result = await configuration.refresh(stop, report);
    const refreshMs = (configuration.current?.refreshS ?? 60) * 1000;
    if (result.ok) {
      failures = 0;
      if (result.changed) {
        logger.info({ catalogue: result.configuration.catalogueVersion }, 'configuration updated');
        await status.catalogueInUse(result.configuration.catalogueVersion);
      }
      await sleepUnlessAborted(refreshMs, stop);
      continue;
    }
    if (stop.aborted) return;
    failures++;
    logger.warn(
      { err: result.message, usingStored: configuration.current !== null },
      'configuration refresh failed',
    );
    await status.error('config', result.message);
    // Until a first configuration arrives there is nothing to measure, so ask again sooner.
    await sleepUnlessAborted(
      Math.min(refreshMs, backoffDelay(failures, options.backoff ?? DEFAULT_BACKOFF)),
      stop,
    );
  }
}

/** One self-update check; true when a new program was installed and the agent should restart. */
async function updateIfOffered(
  options: AgentRuntimeOptions,
  update: NonNullable<AgentRuntimeOptions['update']>,
  stop: AbortSignal,
): Promise<boolean> {
  const { logger, status } = options;
  const outcome = await checkForUpdate({
    collectorUrl: options.identity.collector_url,
    collectorKey: options.identity.collectorKey,
    runningVersion: options.software.version,
    policy: update.policy,
    bundlePath: update.bundlePath,
    signal: stop,
  });
  await status.updateChecked(outcome);
  const fields = {
    running: options.software.version,
    served: outcome.served_version,
    reason: outcome.reason,
  };
  if (outcome.state === 'installed') logger.info(fields, 'new signed version installed; restarting');
  if (outcome.state === 'refused' || outcome.state === 'failed') {
    logger.warn({ ...fields, err: outcome.message }, 'update not installed');
    await status.error('update', `${outcome.reason}: ${outcome.message}`);
  }
  return outcome.state === 'installed';
}

async function measureRounds(
  options: AgentRuntimeOptions,
  stop: AbortSignal,
  hardStop: AbortSignal,
): Promise<void> {
  const { configuration, logger, spool, status } = options;
  let previousStart: number | null = null;
  while (!stop.aborted) {
    const current = configuration.current;
    if (current === null) {
      await sleepUnlessAborted(1_000, stop);
      continue;
    }
    const delay =
      previousStart === null
        ? firstRoundDelay(current.schedule)
        : nextRoundDelay(current.schedule, previousStart, Date.now());
    await sleepUnlessAborted(delay, stop);
    if (stop.aborted) return;
    previousStart = Date.now();
    const report = await runRound({
      catalogue: current.catalogue,
      catalogueVersion: current.catalogueVersion,
      agent: { id: options.identity.agent_id, software: options.software },
      network: options.identity.network,
      source: options.source,
      schedule: current.schedule,
      signal: hardStop,
      stopStarting: stop,
      onMeasurement: (measurement) => spool.append([measurement]),
      ca: options.ca,
      probeNetwork: options.probeNetwork,
      reportMeasurement: options.reportMeasurement,
    });
    for (const error of report.localErrors) {
      logger.error({ roundId: report.id, target: error.target, err: error.message }, 'local error in round');
      await status.error(`round ${error.target}`, error.message);
    }
    logger.info(
      {
        roundId: report.id,
        measurements: report.measurements.length,
        pending: spool.stats().pendingMeasurements,
        durationS: report.durationS,
      },
      'round finished',
    );
    if (report.hitDeadline) {
      logger.warn(
        { roundId: report.id, deadlineS: current.schedule.round_deadline_s },
        'round ran into its deadline: probes still running were cut and their layers are unmeasured; the line is too slow (or the catalogue too large) for the schedule',
      );
    }
    await status.roundFinished({
      id: report.id,
      started_at: report.startedAt,
      measurements: report.measurements.length,
      local_errors: report.localErrors.length,
      duration_s: report.durationS,
      deadline_s: current.schedule.round_deadline_s,
      hit_deadline: report.hitDeadline,
      verdicts: summarizeRound(report.measurements).map((summary) => ({
        target: summary.target,
        kind: summary.kind,
        hint: summary.hint,
      })),
    });
  }
}
