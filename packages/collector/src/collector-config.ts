import { byteSize, duration, positiveInt, ServerConfig } from '@reachmap/config';
import { z } from 'zod';

/** The collector's settings: the shared server ones plus its limits, schedule defaults and GeoIP. */
export const CollectorConfig = ServerConfig.extend({
  /** The agent API promises batches up to 5 MB on the wire (docs/api-agent.md). */
  COLLECTOR_MAX_BODY: byteSize().default(5 * 1024 ** 2),
  /** Decompressed cap: JSON measurements gzip roughly 10:1, so 50 MB fits any honest 5 MB upload. */
  COLLECTOR_MAX_DECODED_BODY: byteSize().default(50 * 1024 ** 2),
  COLLECTOR_AGENT_RATE_PER_MINUTE: positiveInt().default(60),
  COLLECTOR_ENROL_RATE_PER_MINUTE: positiveInt().default(10),
  COLLECTOR_MAX_QUEUE_DEPTH: positiveInt().default(10_000),
  COLLECTOR_MAX_REDIS_MEMORY_RATIO: z.coerce.number().gt(0).max(1).default(0.9),
  COLLECTOR_RETRY_AFTER: duration().default(30_000),
  /**
   * The agent build served at /agent/ (reachmap-agent.mjs, its unit and the installer): default the
   * workspace's apps/agent/dist; "none" serves no agent.
   */
  AGENT_DIST_DIR: z.string().optional(),
  /** The URL agents and operators reach this collector at (written into the served installer). */
  COLLECTOR_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Comma-separated MMDB files (country and/or ASN); unset turns GeoIP checks off. */
  GEOIP_MMDB: z.string().optional(),
  /**
   * Where enrolling agents learn their public address as a control endpoint sees it (a reflector's
   * `http://host:port/address`); offered in the network proposal. Unset: agents report no own view.
   */
  AGENT_ADDRESS_ECHO_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Round schedule handed to agents; defaults from docs/api-agent.md. */
  AGENT_INTERVAL: duration().default(300_000),
  AGENT_JITTER: duration().default(30_000),
  AGENT_ROUND_DEADLINE: duration().default(240_000),
  AGENT_CONCURRENCY: positiveInt().default(8),
  AGENT_CONFIG_REFRESH: duration().default(3_600_000),
  /** How long shutdown waits for in-flight requests before cutting connections. */
  COLLECTOR_SHUTDOWN_GRACE: duration().default(10_000),
});
export type CollectorConfig = z.infer<typeof CollectorConfig>;
