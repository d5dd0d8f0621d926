// The collector (agents' API) as a child of `reachmap up` (apps/cli/src/supervisor).

import { CollectorConfig, startCollectorFromConfig } from '@reachmap/collector';
import { loadConfig } from '@reachmap/config';
import { runAsChild } from '@reachmap/server-kit';
import { openChildRedis } from './child-redis.ts';

await runAsChild('collector', async (logger) => {
  const redis = await openChildRedis(logger);
  const collector = await startCollectorFromConfig(loadConfig(CollectorConfig), {
    redis: redis.target,
    logger,
  });
  return {
    url: collector.url,
    stop: async () => {
      await collector.close();
      await redis.close();
    },
  };
});
