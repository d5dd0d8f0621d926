import { AggregatorConfig, startAggregator } from '@reachmap/aggregator';
import { ConfigError, loadConfig } from '@reachmap/config';
import { resolveRedis } from '@reachmap/queue';
import { listenMetrics, shutdownOnSignal } from '@reachmap/server-kit';
import { createLogger, startTelemetrySdk } from '@reachmap/telemetry';

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
  const telemetry = await startTelemetrySdk('aggregator');
  const redis = await resolveRedis({
    redisUrl: config.REDIS_URL,
    dataDir: config.REACHMAP_DATA_DIR,
    maxMemoryBytes: config.REDIS_EMBEDDED_MAXMEMORY,
  });
  const aggregator = await startAggregator({ redis: redis.target, config, logger });
  const metrics = await listenMetrics({
    registry: aggregator.metrics,
    host: config.AGGREGATOR_METRICS_HOST,
    port: config.AGGREGATOR_METRICS_PORT,
  });
  logger.info({ url: `${metrics.url}/metrics` }, 'aggregator metrics listening');
  shutdownOnSignal({
    close: async () => {
      await aggregator.stop();
      await metrics.close();
      await telemetry.shutdown();
    },
    redis,
    logger,
  });
}

await main();
