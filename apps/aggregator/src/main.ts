import { AggregatorConfig, startAggregator } from '@reachmap/aggregator';
import { ConfigError, loadConfig } from '@reachmap/config';
import { resolveRedis } from '@reachmap/queue';
import { shutdownOnSignal } from '@reachmap/server-kit';
import { createLogger } from '@reachmap/telemetry';

/** Process entry: configuration from the environment, then workers until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config: AggregatorConfig;
  try {
    config = loadConfig(AggregatorConfig);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ name: 'aggregator', level: config.LOG_LEVEL });
  const redis = await resolveRedis({
    redisUrl: config.REDIS_URL,
    dataDir: config.REACHMAP_DATA_DIR,
    maxMemoryBytes: config.REDIS_EMBEDDED_MAXMEMORY,
  });
  const aggregator = await startAggregator({ redis: redis.target, config, logger });
  shutdownOnSignal({ close: () => aggregator.stop(), redis, logger });
}

await main();
