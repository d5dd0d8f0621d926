import { join } from 'node:path';
import { ConfigurationStore } from '../config/configuration-store.ts';
import { loadIdentity } from '../identity/agent-identity.ts';
import { resolveStateDir } from '../identity/state-dir.ts';
import { createAgentLogger } from '../runtime/agent-logger.ts';
import { type AgentExit, DEFAULT_SHUTDOWN_GRACE_MS, runAgent } from '../runtime/agent-runtime.ts';
import { acquireStateLock } from '../runtime/state-lock.ts';
import { AGENT_SOFTWARE } from '../software.ts';
import { Spool } from '../spool/spool.ts';
import { AgentStatusRecorder } from '../status/agent-status.ts';
import { runningBundlePath } from '../update/self-update.ts';
import type { RunOptions } from './agent-commands.ts';
import { extraTrustAnchors, measurementSource } from './agent-options.ts';
import { runSettings } from './agent-settings.ts';
import { type CliIo, EXIT, UsageError } from './cli-command.ts';

export const SPOOL_DIR = 'spool';

/** `reachmap-agent run` (declared in agent-commands.ts). */
export async function runAgentCommand(values: RunOptions, io: CliIo): Promise<number> {
  const stateDir = resolveStateDir(values.stateDir, io.env);
  const graceText = values.shutdownGraceS;
  const graceMs = graceText === undefined ? DEFAULT_SHUTDOWN_GRACE_MS : Number(graceText) * 1000;
  if (!Number.isFinite(graceMs) || graceMs < 0)
    throw new UsageError(`--shutdown-grace-s must be a number of seconds`);
  const { spoolMaxBytes: maxBytes, updatePolicy, logLevel } = runSettings(values, io.env);
  const ca = await extraTrustAnchors(values);
  const identity = await loadIdentity(stateDir);
  const lock = await acquireStateLock(stateDir);
  const logger = createAgentLogger(logLevel);
  try {
    const { spool, recovery } = await Spool.open({ dir: join(stateDir, SPOOL_DIR), maxBytes });
    if (recovery.tornBytes > 0) {
      logger.warn({ bytes: recovery.tornBytes }, 'discarded an incomplete spool write from a crash');
    }
    const status = new AgentStatusRecorder(stateDir);
    await status.resume();
    await status.softwareVersion(AGENT_SOFTWARE.version);
    const configuration = new ConfigurationStore(stateDir, identity);
    const stored = await configuration.loadStored();
    if (stored !== null && !stored.ok)
      logger.warn({ reason: stored.reason, err: stored.message }, 'stored configuration ignored');
    if (configuration.current !== null) await status.catalogueInUse(configuration.current.catalogueVersion);

    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'signal received');
      stop.abort();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    // A closed terminal (an SSH session dropped): by default it kills the agent mid-round.
    process.once('SIGHUP', onSignal);
    logger.info(
      {
        agentId: identity.agent_id,
        collector: identity.collector_url,
        stateDir,
        pending: spool.stats().pendingMeasurements,
      },
      'agent started',
    );
    let exit: AgentExit;
    try {
      exit = await runAgent(
        {
          stateDir,
          identity,
          software: AGENT_SOFTWARE,
          spool,
          configuration,
          status,
          logger,
          source: measurementSource(values),
          shutdownGraceMs: graceMs,
          ...io.extensions,
          update: { policy: updatePolicy, bundlePath: runningBundlePath() },
          ...(ca === undefined ? {} : { ca }),
        },
        stop.signal,
      );
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('SIGHUP', onSignal);
      await spool.close();
    }
    logger.info({ pending: spool.stats().pendingMeasurements, exit }, 'agent stopped');
    return exit === 'restart' ? EXIT.restart : EXIT.ok;
  } finally {
    await lock.release();
  }
}
