import { parseArgs } from 'node:util';
import { AggregatorConfig, startAggregator } from '@reachmap/aggregator';
import { ApiConfig, startApiFromConfig } from '@reachmap/api';
import { CollectorConfig, startCollectorFromConfig } from '@reachmap/collector';
import { loadConfig, ServerConfig } from '@reachmap/config';
import { createDashboardApp } from '@reachmap/dashboard';
import { createLogger, startTelemetrySdk } from '@reachmap/telemetry';
import { openRedisSession } from '../redis-session.ts';
import { waitForShutdownSignal } from '../shutdown-signal.ts';

export const UP_HELP = `reachmap up [--no-demo]

Runs the whole server stack on one machine: Redis (a private redis-server when REDIS_URL is unset),
and the reachmap services wired to it. Stops cleanly on Ctrl-C.

Options:
  --no-demo   do not start the built-in simulated demo network
  -h, --help  show this help

Environment: REDIS_URL, REACHMAP_DATA_DIR (default .reachmap-data), HOST (default 127.0.0.1),
COLLECTOR_PORT (8470), API_PORT (8471), LOG_LEVEL (info), OTEL_* (OpenTelemetry export).`;

/** A running part of the stack; stopped in reverse start order. */
export interface RunningComponent {
  name: string;
  url?: string;
  stop(): Promise<void>;
}

export async function runUp(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'no-demo': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${UP_HELP}\n`);
    return 0;
  }
  const config = loadConfig(ServerConfig);
  const log = createLogger({ name: 'reachmap', level: config.LOG_LEVEL });
  const telemetry = await startTelemetrySdk('server');
  const redis = await openRedisSession(
    { redisUrl: config.REDIS_URL, dataDir: config.REACHMAP_DATA_DIR },
    log,
  );
  const components: RunningComponent[] = [];
  // Consumers first, so that nothing the collector accepts waits for a worker to appear.
  const aggregator = await startAggregator({
    redis: redis.target,
    config: loadConfig(AggregatorConfig),
    logger: log.child({ component: 'aggregator' }),
  });
  components.push({ name: 'aggregator', stop: aggregator.stop });
  const collector = await startCollectorFromConfig(loadConfig(CollectorConfig), {
    redis: redis.target,
    logger: log.child({ component: 'collector' }),
  });
  components.push({ name: 'collector', url: collector.url, stop: collector.close });
  const api = await startApiFromConfig(loadConfig(ApiConfig), {
    redis: redis.target,
    logger: log.child({ component: 'api' }),
    dashboard: createDashboardApp(),
  });
  components.push({ name: 'api and dashboard', url: api.url, stop: api.close });

  log.info(
    { components: components.map((c) => ({ name: c.name, url: c.url })), demo: !values['no-demo'] },
    'reachmap is running; press Ctrl-C to stop',
  );
  const signal = await waitForShutdownSignal();
  log.info({ signal }, 'shutting down');
  for (const component of components.reverse()) {
    await component.stop();
    log.info({ component: component.name }, 'stopped');
  }
  await redis.close();
  await telemetry.shutdown();
  log.info('stopped cleanly');
  return 0;
}
