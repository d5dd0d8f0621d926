import { ConfigError, loadConfig } from '@reachmap/config';
import { resolveRedis } from '@reachmap/queue';
import { createLogger } from '@reachmap/telemetry';
import { AggregatorConfig } from './aggregator-config.ts';
import { startAggregator } from './start-aggregator.ts';

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
  const { target, embedded } = await resolveRedis({
    redisUrl: config.REDIS_URL,
    dataDir: config.REACHMAP_DATA_DIR,
  });
  const aggregator = await startAggregator({ redis: target, config, logger });
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await aggregator.stop();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

await main();
