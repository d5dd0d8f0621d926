// The collector process: configuration from the environment, Redis (embedded unless REDIS_URL),
// the catalogue signed with the collector key, then serve until SIGINT/SIGTERM.

import { CollectorConfig, startCollectorFromConfig } from '@reachmap/collector';
import { loadConfig } from '@reachmap/config';
import { resolveRedis } from '@reachmap/queue';
import { shutdownOnSignal } from '@reachmap/server-kit';
import { createLogger, startTelemetrySdk } from '@reachmap/telemetry';

const config = loadConfig(CollectorConfig);
const logger = createLogger({ name: 'collector', level: config.LOG_LEVEL });
// Traces go out only when the standard OTEL_* variables ask for it (docs/operators.md, "Traces").
const telemetry = await startTelemetrySdk('collector');
const redis = await resolveRedis({
  redisUrl: config.REDIS_URL,
  dataDir: config.REACHMAP_DATA_DIR,
  maxMemoryBytes: config.REDIS_EMBEDDED_MAXMEMORY,
});
const collector = await startCollectorFromConfig(config, { redis: redis.target, logger });

shutdownOnSignal({
  close: async () => {
    await collector.close();
    await telemetry.shutdown();
  },
  redis,
  logger,
});
