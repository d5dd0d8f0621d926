import type { OpenAPIHono } from '@hono/zod-openapi';
import type { RedisClient } from '@reachmap/queue';
import type { Logger } from '@reachmap/telemetry';
import type { AgentConfigSource } from '../agent-config/agent-config.ts';
import type { AgentFiles } from '../agent-files/agent-files.ts';
import type { GeoIpLookup } from '../geoip/geoip-lookup.ts';
import type { CollectorEnv } from '../http/collector-env.ts';
import type { BackpressureLimits } from '../limits/backpressure.ts';
import type { CollectorMetrics } from '../observability/collector-metrics.ts';
import type { IngestQueue } from '../submission/ingest-queue.ts';

export interface CollectorLimits {
  /** Request body bytes on the wire (the agent API promises 5 MB). */
  maxWireBytes: number;
  /** Body bytes after gzip decompression. */
  maxDecodedBytes: number;
  agentRequestsPerMinute: number;
  enrolmentsPerMinutePerAddress: number;
  backpressure: BackpressureLimits;
}

/** Everything the routes need; `createCollectorApp` receives it and tests build it from real parts. */
export interface RouteDeps {
  redis: RedisClient;
  queue: IngestQueue;
  config: AgentConfigSource;
  limits: CollectorLimits;
  geoIp: GeoIpLookup | null;
  /** Where agents learn their public address (a reflector's `/address`), offered in the proposal. */
  addressEchoUrl: string | null;
  /** The agent program, unit and installer served at /agent/; null when none was configured. */
  agentFiles: AgentFiles | null;
  /** The URL operators reach the collector at, written into the installer; null: the request's origin. */
  publicUrl: string | null;
  logger: Logger;
  metrics: CollectorMetrics;
  now: () => number;
}

export type CollectorApp = OpenAPIHono<CollectorEnv>;
