import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AggregatorConfig } from '@reachmap/aggregator';
import { Command, type CommandUnknownOpts, setExitCode } from '@reachmap/command-line';
import { loadConfig, ServerConfig } from '@reachmap/config';
import { findFreeLoopbackPort } from '@reachmap/queue';
import { SERVER_NODE_FLAGS, SERVER_PROCESS_ENV } from '@reachmap/server-kit';
import { createLogger } from '@reachmap/telemetry';
import { openRedisSession } from '../redis-session.ts';
import { waitForShutdownSignal } from '../shutdown-signal.ts';
import { RotatingLogFile } from '../supervisor/rotating-log-file.ts';
import { entryOf, STOP_TIMEOUT_MS, selectComponents } from '../supervisor/stack-components.ts';
import { type LogFormat, StackOutput } from '../supervisor/stack-output.ts';
import { StatusSource } from '../supervisor/stack-status.ts';
import type { ChildEvent } from '../supervisor/supervised-child.ts';
import { Supervisor } from '../supervisor/supervisor.ts';

/** `reachmap up`, the default command. */
export function upCommand(): CommandUnknownOpts {
  return new Command('up')
    .description('run the server stack (the default command)')
    .option('--no-demo', 'do not start the demo network')
    .option(
      '--only <components>',
      'run only these, comma-separated: aggregator, collector, api, demo (one role per machine: set REDIS_URL to the shared Redis)',
    )
    .option(
      '--log-format <format>',
      'pretty (default on a terminal: a banner, a status block, warnings and errors in human form) or json (default otherwise: every log line as JSON)',
    )
    .addHelpText(
      'after',
      `
Runs the whole server stack on one machine: Redis (a private redis-server when REDIS_URL is unset),
the aggregator, the collector (agents' API) and the analysts' API with the dashboard, plus a built-in
demo network of simulated regions (clearly labelled as simulated) so the map fills within minutes.
Each part runs as its own process under one supervisor, which restarts a part that dies (with
backoff; a part that keeps crashing is left stopped, with a message saying why). Real agents can
enrol either way. Ctrl-C (or SIGTERM, or SIGHUP when the terminal closes) stops the parts in order: the demo and the collector first,
the aggregator after it has drained, Redis last.

With the demo on, unset settings default to a fast pace so the map moves while you watch:
REACHMAP_WINDOW=2m, REACHMAP_EVALUATION_GRACE=10s, AGENT_INTERVAL=20s, AGENT_JITTER=5s,
AGENT_ROUND_DEADLINE=15s. --no-demo keeps the production defaults (15 min windows, 5 min rounds).

Full JSON logs always go to $REACHMAP_DATA_DIR/logs/reachmap.log (rotated at 10 MB, 5 kept).

Environment: REDIS_URL, REACHMAP_DATA_DIR (default .reachmap-data), HOST (default 127.0.0.1),
COLLECTOR_PORT (8470), API_PORT (8471), AGGREGATOR_METRICS_PORT (8472, the aggregator's /metrics),
LOG_LEVEL (info), OTEL_* (OpenTelemetry traces: docs/operators.md).`,
    )
    .action(async (options, command) => setExitCode(command, await runUp(options)));
}

const DEMO_PACE = {
  REACHMAP_WINDOW: '2m',
  REACHMAP_EVALUATION_GRACE: '10s',
  AGENT_INTERVAL: '20s',
  AGENT_JITTER: '5s',
  AGENT_ROUND_DEADLINE: '15s',
  // Full measurements kept for drill-down (the evidence store, on disk): the demo's ~16,000 an hour at
  // ~14 KB each would fill ~11 GB of a newcomer's disk at the 48 h default (measured 2026-12-03).
  REACHMAP_RECENT_TTL: '3h',
} as const;

/** The demo's fast pace, for every setting the user did not choose. */
function applyDemoPace(env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(DEMO_PACE)) {
    if (env[name] === undefined || env[name] === '') env[name] = value;
  }
}

export class DemoNeedsLabCatalogueError extends Error {
  override name = 'DemoNeedsLabCatalogueError';
  constructor() {
    super(
      'the demo network measures the catalogue the collector serves, so it runs only with ' +
        'REACHMAP_CATALOGUE=lab; use `reachmap up --no-demo` with REACHMAP_CATALOGUE=real',
    );
  }
}

/** How the demo reaches the collector: the bound address, or loopback when it binds every interface. */
function localUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** A port the children keep across restarts: port 0 ("any") is chosen once, here. */
async function fixedPort(port: number): Promise<number> {
  return port === 0 ? await findFreeLoopbackPort() : port;
}

interface UpOptions {
  demo: boolean;
  only?: string;
  logFormat?: string;
}

async function runUp(options: UpOptions): Promise<number> {
  const components = selectComponents(options.only, options.demo);
  const demo = components.includes('demo');
  if (demo) applyDemoPace(process.env);
  const config = loadConfig(ServerConfig);
  if (demo && config.REACHMAP_CATALOGUE !== 'lab') {
    // Demo agents measure whatever catalogue the collector hands out: never let that be the real one.
    throw new DemoNeedsLabCatalogueError();
  }
  const format = logFormat(options.logFormat);
  prepareDataDir(config.REACHMAP_DATA_DIR);
  const logFile = new RotatingLogFile(join(config.REACHMAP_DATA_DIR, 'logs', 'reachmap.log'));
  const output = new StackOutput(format, logFile, process.stdout, process.stdout.isTTY === true);
  const log = createLogger({
    name: 'reachmap',
    level: config.LOG_LEVEL,
    pretty: false,
    destination: output.destination,
  });
  const redis = await openRedisSession(
    {
      redisUrl: config.REDIS_URL,
      dataDir: config.REACHMAP_DATA_DIR,
      maxMemoryBytes: config.REDIS_EMBEDDED_MAXMEMORY,
    },
    log,
  );
  const collectorPort = await fixedPort(config.COLLECTOR_PORT);
  const apiPort = await fixedPort(config.API_PORT);
  // Port 0 is chosen once here, so a restarted aggregator keeps the address Prometheus scrapes.
  const aggregatorMetricsPort = await fixedPort(loadConfig(AggregatorConfig).AGGREGATOR_METRICS_PORT);
  // The servers run as deployed (their units' environment); what the user set wins.
  const env: NodeJS.ProcessEnv = {
    ...SERVER_PROCESS_ENV,
    ...process.env,
    REDIS_URL: redis.target.kind === 'single' ? redis.target.url : (config.REDIS_URL ?? ''),
    REACHMAP_DATA_DIR: config.REACHMAP_DATA_DIR,
    COLLECTOR_PORT: String(collectorPort),
    API_PORT: String(apiPort),
    AGGREGATOR_METRICS_PORT: String(aggregatorMetricsPort),
    REACHMAP_COLLECTOR_URL: process.env.REACHMAP_COLLECTOR_URL || localUrl(config.HOST, collectorPort),
  };
  let everythingFailed: () => void = () => {};
  const allFailed = new Promise<'all failed'>((resolve) => {
    everythingFailed = () => resolve('all failed');
  });
  const supervisor = new Supervisor({
    children: components.map((name) => ({
      name,
      entry: entryOf(name),
      // The demo network is the lab's, not a server role; it starts its agents as they are deployed.
      ...(name === 'demo' ? {} : { nodeFlags: SERVER_NODE_FLAGS }),
      env,
      stopTimeoutMs: STOP_TIMEOUT_MS[name],
    })),
    onEvent: (component, event) => {
      logChildEvent(log, component, event);
      if (event.kind === 'gave-up' && supervisor.allFailed()) everythingFailed();
    },
    onLine: (component, line, stream) => {
      // Children log JSON lines; anything else (a crash's stack trace) is wrapped as a record.
      if (stream === 'stdout' && line.startsWith('{')) output.record(line);
      else log.warn({ component, stream }, line);
    },
  });
  const stopAll = async () => {
    await supervisor.stop();
    await redis.close();
  };
  const shutdown = waitForShutdownSignal();
  try {
    await Promise.race([supervisor.start(), shutdown]);
  } catch (error) {
    await stopAll();
    throw error;
  }
  log.info(
    {
      components: supervisor.children.map((c) => ({ name: c.spec.name, pid: c.pid, url: c.url })),
      demo,
      dataDir: config.REACHMAP_DATA_DIR,
    },
    'reachmap is running; press Ctrl-C to stop',
  );
  const urlOf = (name: string) => supervisor.children.find((c) => c.spec.name === name)?.url;
  output.banner({
    apiUrl: urlOf('api'),
    collectorUrl: urlOf('collector'),
    aggregatorMetricsUrl: urlOf('aggregator'),
    dataDir: config.REACHMAP_DATA_DIR,
    logFile: logFile.path,
    demo,
    components,
  });
  const statusSource = new StatusSource(
    redis.client,
    components.includes('collector') ? (env.REACHMAP_COLLECTOR_URL ?? null) : null,
    config.REACHMAP_PARTITIONS,
  );
  // Sampled every 2 s whatever the format (the rate needs samples within its minute): a terminal gets
  // the block redrawn each time, JSON readers (journald) a status record a minute.
  let lastRecordAt = 0;
  const showStatus = async () => {
    const status = {
      components: supervisor.children.map((c) => ({
        name: c.spec.name,
        state: c.state,
        restarts: c.restarts,
      })),
      ...(await statusSource.read()),
    };
    if (format === 'pretty') output.status(status);
    else if (Date.now() - lastRecordAt >= 60_000) {
      lastRecordAt = Date.now();
      log.info({ status }, 'status');
    }
  };
  const statusTimer = setInterval(() => void showStatus(), 2_000);
  void showStatus();
  const reason = await Promise.race([shutdown, allFailed]);
  clearInterval(statusTimer);
  // The terminal is gone: what follows goes to the log file only.
  if (reason === 'SIGHUP') output.stdoutGone();
  output.finish();
  log.info({ reason }, 'shutting down');
  output.notice(`stopping (${reason}): ${[...components].reverse().join(', ')}, then Redis…`);
  await stopAll();
  if (reason === 'all failed') {
    log.error('every component gave up; see the messages above');
    return 1;
  }
  log.info('stopped cleanly');
  output.notice('stopped cleanly');
  logFile.close();
  return 0;
}

function logFormat(requested: string | undefined): LogFormat {
  if (requested === undefined) return process.stdout.isTTY === true ? 'pretty' : 'json';
  if (requested === 'pretty' || requested === 'json') return requested;
  throw new UnknownLogFormatError(`--log-format takes pretty or json (got "${requested}")`);
}

export class DataDirUnusableError extends Error {
  override readonly name = 'DataDirUnusableError';
}

/**
 * Creates the data directory (logs, Redis, spools) before anything is started, so an unusable one is
 * one line naming the variable rather than a stack trace from whichever part writes first.
 */
function prepareDataDir(dir: string): void {
  try {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new DataDirUnusableError(`REACHMAP_DATA_DIR: cannot use ${dir}: ${(error as Error).message}`);
  }
}

export class UnknownLogFormatError extends Error {
  override name = 'UnknownLogFormatError';
}

function logChildEvent(log: ReturnType<typeof createLogger>, component: string, event: ChildEvent): void {
  switch (event.kind) {
    case 'started':
      log.debug({ component, pid: event.pid }, `${component} started`);
      break;
    case 'ready':
      log.info({ component, pid: event.pid, url: event.url }, `${component} ready`);
      break;
    case 'exited':
      log.warn(
        { component, pid: event.pid, code: event.code, signal: event.signal, stderr: event.stderrTail },
        `${component} exited unexpectedly (${event.signal ?? `exit code ${event.code}`})`,
      );
      break;
    case 'restarting':
      log.warn(
        { component, delayMs: event.delayMs, attempt: event.attempt },
        `restarting ${component} in ${(event.delayMs / 1000).toFixed(1)} s`,
      );
      break;
    case 'gave-up':
      log.error(
        { component, attempts: event.attempts, stderr: event.stderrTail },
        `${component} crashed ${event.attempts} times in a row; not restarting it (fix the cause and run reachmap up again)`,
      );
      break;
  }
}
