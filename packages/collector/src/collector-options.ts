import type { RedisTarget } from '@reachmap/queue';
import type { Logger } from '@reachmap/telemetry';
import type { CatalogueProvider } from './agent-config/agent-config.ts';
import { defaultAgentDistDir } from './agent-files/agent-files.ts';
import type { CollectorConfig } from './collector-config.ts';
import type { StartCollectorOptions } from './start-collector.ts';

const seconds = (ms: number) => Math.round(ms / 1000);

/** Turns the loaded configuration into `startCollector` options. */
export function collectorOptionsFrom(
  config: CollectorConfig,
  parts: { redis: RedisTarget; catalogue: CatalogueProvider; logger: Logger },
): StartCollectorOptions {
  return {
    redis: parts.redis,
    dataDir: config.REACHMAP_DATA_DIR,
    host: config.HOST,
    port: config.COLLECTOR_PORT,
    catalogue: parts.catalogue,
    schedule: {
      interval_s: seconds(config.AGENT_INTERVAL),
      jitter_s: seconds(config.AGENT_JITTER),
      round_deadline_s: seconds(config.AGENT_ROUND_DEADLINE),
      concurrency: config.AGENT_CONCURRENCY,
    },
    configRefreshS: seconds(config.AGENT_CONFIG_REFRESH),
    limits: {
      maxWireBytes: config.COLLECTOR_MAX_BODY,
      maxDecodedBytes: config.COLLECTOR_MAX_DECODED_BODY,
      agentRequestsPerMinute: config.COLLECTOR_AGENT_RATE_PER_MINUTE,
      enrolmentsPerMinutePerAddress: config.COLLECTOR_ENROL_RATE_PER_MINUTE,
      backpressure: {
        maxQueueDepth: config.COLLECTOR_MAX_QUEUE_DEPTH,
        maxMemoryRatio: config.COLLECTOR_MAX_REDIS_MEMORY_RATIO,
        retryAfterS: seconds(config.COLLECTOR_RETRY_AFTER),
      },
    },
    geoIpDatabases: (config.GEOIP_MMDB ?? '')
      .split(',')
      .map((path) => path.trim())
      .filter((path) => path !== ''),
    addressEchoUrl: config.AGENT_ADDRESS_ECHO_URL ?? null,
    agentDistDir: config.AGENT_DIST_DIR === 'none' ? null : (config.AGENT_DIST_DIR ?? defaultAgentDistDir()),
    publicUrl: config.COLLECTOR_PUBLIC_URL?.replace(/\/+$/, '') ?? null,
    shutdownGraceMs: config.COLLECTOR_SHUTDOWN_GRACE,
    logger: parts.logger,
  };
}
