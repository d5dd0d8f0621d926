// The API process: configuration from the environment, Redis (embedded unless REDIS_URL), the
// shipped catalogue for /v1/targets and the dashboard at /, then serve (and dispatch webhooks)
// until SIGINT/SIGTERM.

import { ApiConfig, startApiFromConfig } from '@reachmap/api';
import { loadConfig } from '@reachmap/config';
import { createDashboardApp } from '@reachmap/dashboard';
import { resolveRedis } from '@reachmap/queue';
import { shutdownOnSignal } from '@reachmap/server-kit';
import { createLogger, startTelemetrySdk } from '@reachmap/telemetry';

const config = loadConfig(ApiConfig);
const logger = createLogger({ name: 'api', level: config.LOG_LEVEL });
const telemetry = await startTelemetrySdk('api');
const redis = await resolveRedis({
  redisUrl: config.REDIS_URL,
  dataDir: config.REACHMAP_DATA_DIR,
  maxMemoryBytes: config.REDIS_EMBEDDED_MAXMEMORY,
});
const api = await startApiFromConfig(config, {
  redis: redis.target,
  logger,
  dashboard: createDashboardApp(),
});

shutdownOnSignal({
  close: async () => {
    await api.close();
    await telemetry.shutdown();
  },
  redis,
  logger,
});
