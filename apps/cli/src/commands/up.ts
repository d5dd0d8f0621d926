import { parseArgs } from 'node:util';
import { AggregatorConfig, startAggregator } from '@reachmap/aggregator';
import { ApiConfig, startApiFromConfig } from '@reachmap/api';
import { CollectorConfig, createEnrolmentToken, startCollectorFromConfig } from '@reachmap/collector';
import { loadConfig, ServerConfig } from '@reachmap/config';
import { createDashboardApp } from '@reachmap/dashboard';
import { startDemoNetwork } from '@reachmap/lab';
import { createLogger, startTelemetrySdk } from '@reachmap/telemetry';
import { openRedisSession } from '../redis-session.ts';
import { waitForShutdownSignal } from '../shutdown-signal.ts';

export const UP_HELP = `reachmap up [--no-demo]

Runs the whole server stack on one machine: Redis (a private redis-server when REDIS_URL is unset),
the aggregator, the collector (agents' API) and the analysts' API with the dashboard, plus a built-in
demo network of simulated regions (clearly labelled as simulated) so the map fills within minutes.
Real agents can enrol either way. Stops cleanly on Ctrl-C.

With the demo on, unset settings default to a fast pace so the map moves while you watch:
REACHMAP_WINDOW=2m, REACHMAP_EVALUATION_GRACE=10s, AGENT_INTERVAL=20s, AGENT_JITTER=5s,
AGENT_ROUND_DEADLINE=15s. --no-demo keeps the production defaults (15 min windows, 5 min rounds).

Options:
  --no-demo   do not start the demo network
  -h, --help  show this help

Environment: REDIS_URL, REACHMAP_DATA_DIR (default .reachmap-data), HOST (default 127.0.0.1),
COLLECTOR_PORT (8470), API_PORT (8471), LOG_LEVEL (info), OTEL_* (OpenTelemetry export).`;

const DEMO_TOKEN_LIFETIME_MS = 3_600_000;

const DEMO_PACE = {
  REACHMAP_WINDOW: '2m',
  REACHMAP_EVALUATION_GRACE: '10s',
  AGENT_INTERVAL: '20s',
  AGENT_JITTER: '5s',
  AGENT_ROUND_DEADLINE: '15s',
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
  const demo = !values['no-demo'];
  if (demo) applyDemoPace(process.env);
  const config = loadConfig(ServerConfig);
  if (demo && config.REACHMAP_CATALOGUE !== 'lab') {
    // Demo agents measure whatever catalogue the collector hands out: never let that be the real one.
    throw new DemoNeedsLabCatalogueError();
  }
  const log = createLogger({ name: 'reachmap', level: config.LOG_LEVEL });
  const telemetry = await startTelemetrySdk('server');
  const redis = await openRedisSession(
    {
      redisUrl: config.REDIS_URL,
      dataDir: config.REACHMAP_DATA_DIR,
      maxMemoryBytes: config.REDIS_EMBEDDED_MAXMEMORY,
    },
    log,
  );
  const components: RunningComponent[] = [];
  const stopAll = async () => {
    for (const component of components.reverse()) {
      await component.stop();
      log.info({ component: component.name }, 'stopped');
    }
    await redis.close();
  };
  try {
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
    if (demo) {
      const network = await startDemoNetwork({
        collectorUrl: collector.url,
        enrol: async (label) =>
          (
            await createEnrolmentToken(redis.client, {
              label,
              expiresInMs: DEMO_TOKEN_LIFETIME_MS,
              simulated: true,
            })
          ).token,
        logger: log.child({ component: 'demo' }),
      });
      components.push({ name: 'demo network (simulated)', stop: network.stop });
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  log.info(
    { components: components.map((c) => ({ name: c.name, url: c.url })), demo },
    'reachmap is running; press Ctrl-C to stop',
  );
  const signal = await waitForShutdownSignal();
  log.info({ signal }, 'shutting down');
  await stopAll();
  await telemetry.shutdown();
  log.info('stopped cleanly');
  return 0;
}
