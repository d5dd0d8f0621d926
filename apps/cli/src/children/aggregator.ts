// The aggregator as a child of `reachmap up` (apps/cli/src/supervisor).

import { AggregatorConfig, startAggregator } from '@reachmap/aggregator';
import { loadConfig } from '@reachmap/config';
import { listenMetrics, runAsChild } from '@reachmap/server-kit';
import { openChildRedis } from './child-redis.ts';

await runAsChild('aggregator', async (logger) => {
  const config = loadConfig(AggregatorConfig);
  const redis = await openChildRedis(logger);
  const aggregator = await startAggregator({ redis: redis.target, config, logger });
  // The same /metrics listener as the aggregator role (apps/aggregator), so one scrape configuration
  // serves `up` and separate machines alike (docs/operators.md).
  const metrics = await listenMetrics({
    registry: aggregator.metrics,
    host: config.AGGREGATOR_METRICS_HOST,
    port: config.AGGREGATOR_METRICS_PORT,
  });
  return {
    url: `${metrics.url}/metrics`,
    stop: async () => {
      await aggregator.stop();
      await metrics.close();
      await redis.close();
    },
  };
});
