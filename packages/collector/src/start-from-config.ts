import type { RedisTarget } from '@reachmap/queue';
import { loadCatalogue, signCatalogue } from '@reachmap/targets';
import type { Logger } from '@reachmap/telemetry';
import type { CollectorConfig } from './collector-config.ts';
import { collectorOptionsFrom } from './collector-options.ts';
import { loadOrCreateCollectorKey } from './signing/collector-key.ts';
import { type RunningCollector, startCollector } from './start-collector.ts';

/** The collector as configured: the chosen catalogue signed with the collector's key, then served. */
export async function startCollectorFromConfig(
  config: CollectorConfig,
  parts: { redis: RedisTarget; logger: Logger },
): Promise<RunningCollector> {
  const signingKey = loadOrCreateCollectorKey(config.REACHMAP_DATA_DIR);
  const catalogue = signCatalogue(
    await loadCatalogue({ kind: config.REACHMAP_CATALOGUE }),
    signingKey.privateKey,
  );
  return await startCollector(collectorOptionsFrom(config, { ...parts, catalogue: async () => catalogue }));
}
