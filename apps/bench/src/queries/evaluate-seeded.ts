import { join } from 'node:path';
import { AggregatorConfig, startAggregator } from '@reachmap/aggregator';
import { createLogger } from '@reachmap/telemetry';
import type { BenchRedis } from '../bench-redis.ts';

/**
 * One pass of the real window evaluator over what `seedHistory` wrote, so states and events form as
 * the aggregator would have formed them; the periodic timer is pushed out of the way (1 h).
 */
export async function evaluateSeeded(
  redis: BenchRedis,
  archiveName: string,
): Promise<{ transitions: number; events: number }> {
  const aggregator = await startAggregator({
    redis: redis.target,
    config: AggregatorConfig.parse({ REACHMAP_EVALUATE_EVERY: '1h' }),
    logger: createLogger({ name: 'bench-evaluator', level: 'silent' }),
    archiveDir: join(redis.dir, archiveName),
    evidencePath: join(redis.dir, 'evidence.sqlite'),
  });
  const evaluation = await aggregator.evaluateNow().finally(() => aggregator.stop());
  return { transitions: evaluation.transitions, events: evaluation.events.length };
}
