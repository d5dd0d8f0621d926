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
import { extraTrustAnchors, MEASURING_OPTIONS, measurementSource } from './agent-options.ts';
import { runSettings } from './agent-settings.ts';
import { type CliCommand, EXIT, UsageError } from './cli-command.ts';

export const SPOOL_DIR = 'spool';

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run the agent: measure every interval and submit (what the service runs)',
  usage: `reachmap-agent run [options]

Measures a round every interval of the collector's schedule, spools every measurement durably and
submits the spool to the collector. Stops cleanly on SIGTERM or SIGINT.

Options:
  --spool-max-mb N      bound of the local spool (default 100, or $REACHMAP_AGENT_SPOOL_MAX_MB);
                        when full the oldest measurements are dropped and the count reported
  --shutdown-grace-s N  seconds running probes get to finish on SIGTERM (default 10)
  --simulated           mark measurements as simulated (lab and demo networks)
  --ca-file PATH        extra trust anchors in PEM for TLS validation (the lab CA)
  --update POLICY       auto (default, or $REACHMAP_AGENT_UPDATE): install newer versions the
                        collector serves, signed with its key, then exit 75 to be restarted;
                        off: never; a version such as 0.2.0: only that one (a pin)
  --state-dir DIR       state directory (default: $REACHMAP_AGENT_DIR, /var/lib/reachmap-agent as root,
                        else $XDG_STATE_HOME/reachmap-agent)
  -h, --help            show this help

Logs are JSON lines on stdout; LOG_LEVEL sets the level (fatal, error, warn, info (default), debug,
trace or silent), as for every reachmap process. The variables may also come from a JSON file named
by $REACHMAP_CONFIG; the environment wins over it, a flag over both.`,
  options: {
    ...MEASURING_OPTIONS,
    'spool-max-mb': { type: 'string' },
    'shutdown-grace-s': { type: 'string' },
    update: { type: 'string' },
  },
  async run(values, io) {
    const stateDir = resolveStateDir(values['state-dir'] as string | undefined, io.env);
    const graceText = values['shutdown-grace-s'] as string | undefined;
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
        await spool.close();
      }
      logger.info({ pending: spool.stats().pendingMeasurements, exit }, 'agent stopped');
      return exit === 'restart' ? EXIT.restart : EXIT.ok;
    } finally {
      await lock.release();
    }
  },
};
