import type { MeasurementSource } from '@reachmap/schema';
import type { ConfigurationStore } from '../config/configuration-store.ts';
import type { AgentIdentity } from '../identity/agent-identity.ts';
import { runRound } from '../rounds/round-runner.ts';
import type { Spool } from '../spool/spool.ts';
import type { AgentStatusRecorder } from '../status/agent-status.ts';
import { sleepUnlessAborted } from '../submission/abortable-sleep.ts';
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from '../submission/backoff.ts';
import { RejectedLog } from '../submission/rejected-log.ts';
import { Submitter } from '../submission/submitter.ts';
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
}

/**
 * The long-running agent: keeps its configuration fresh, measures a round every interval and submits
 * the spool, until `stop` aborts. Then it stops starting anything, gives running probes the grace
 * period, spools what they produced and returns.
 */
export async function runAgent(options: AgentRuntimeOptions, stop: AbortSignal): Promise<void> {
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
      keepConfigurationFresh(options, stop),
      measureRounds(options, stop, hardStop.signal),
      submitter.run(stop, hardStop.signal),
    ]);
  } finally {
    clearTimeout(graceTimer);
    stop.removeEventListener('abort', onStop);
  }
}

async function keepConfigurationFresh(options: AgentRuntimeOptions, stop: AbortSignal): Promise<void> {
  const { configuration, logger, status } = options;
  let failures = 0;
  while (!stop.aborted) {
    const result = await configuration.refresh(stop);
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
      },
      'round finished',
    );
    await status.roundFinished({
      id: report.id,
      started_at: report.startedAt,
      measurements: report.measurements.length,
      local_errors: report.localErrors.length,
    });
  }
}
