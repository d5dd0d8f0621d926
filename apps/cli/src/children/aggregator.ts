// The aggregator as a child of `reachmap up` (apps/cli/src/supervisor).

import { AggregatorConfig, startAggregator } from '@reachmap/aggregator';
import { loadConfig } from '@reachmap/config';
import { runAsChild } from '@reachmap/server-kit';
import { openChildRedis } from './child-redis.ts';

await runAsChild('aggregator', async (logger) => {
  const redis = await openChildRedis(logger);
  const aggregator = await startAggregator({
    redis: redis.target,
    config: loadConfig(AggregatorConfig),
    logger,
  });
  return {
    stop: async () => {
      await aggregator.stop();
      await redis.close();
    },
  };
});
