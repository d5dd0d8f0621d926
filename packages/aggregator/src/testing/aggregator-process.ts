// A whole aggregator in a process of its own, configured from the environment like
// apps/aggregator/src/main.ts: what a kill -9 test kills (a package test cannot start an app).
import { loadConfig } from '@reachmap/config';
import { createLogger } from '@reachmap/telemetry';
import { AggregatorConfig } from '../aggregator-config.ts';
import { startAggregator } from '../start-aggregator.ts';

const config = loadConfig(AggregatorConfig);
await startAggregator({
  redis: { kind: 'single', url: config.REDIS_URL ?? '' },
  config,
  logger: createLogger({ name: 'aggregator', level: config.LOG_LEVEL }),
});
