// The analysts' API and the dashboard as a child of `reachmap up` (apps/cli/src/supervisor).

import { ApiConfig, startApiFromConfig } from '@reachmap/api';
import { loadConfig } from '@reachmap/config';
import { createDashboardApp } from '@reachmap/dashboard';
import { runAsChild } from '@reachmap/server-kit';
import { openChildRedis } from './child-redis.ts';

await runAsChild('api', async (logger) => {
  const redis = await openChildRedis(logger);
  const api = await startApiFromConfig(loadConfig(ApiConfig), {
    redis: redis.target,
    logger,
    dashboard: createDashboardApp(),
  });
  return {
    url: api.url,
    stop: async () => {
      await api.close();
      await redis.close();
    },
  };
});
