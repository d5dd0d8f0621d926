// The collector process: configuration from the environment, Redis (embedded unless REDIS_URL),
// the catalogue signed with the collector key, then serve until SIGINT/SIGTERM.
import { loadConfig } from '@reachmap/config';
import { resolveRedis } from '@reachmap/queue';
import { createLogger } from '@reachmap/telemetry';
import { CollectorConfig } from './collector-config.ts';
import { startCollectorFromConfig } from './start-from-config.ts';

const config = loadConfig(CollectorConfig);
const logger = createLogger({ name: 'collector', level: config.LOG_LEVEL });
const redis = await resolveRedis({ redisUrl: config.REDIS_URL, dataDir: config.REACHMAP_DATA_DIR });
const collector = await startCollectorFromConfig(config, { redis: redis.target, logger });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void collector
      .close()
      .then(() => redis.embedded?.stop())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  });
}
