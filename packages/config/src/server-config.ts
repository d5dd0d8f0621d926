import { z } from 'zod';
import { byteSize, filePath, logLevel, port, positiveInt } from './values.ts';

/** Settings every reachmap server process shares. */
export const ServerConfig = z.object({
  /** Unset: start a private redis-server (the embedded default). */
  REDIS_URL: z.string().optional(),
  /** `maxmemory` of the embedded Redis; unset: a quarter of the machine's memory (at least 256 MiB). */
  REDIS_EMBEDDED_MAXMEMORY: byteSize().optional(),
  /** Embedded Redis data, the raw archive and other state. */
  REACHMAP_DATA_DIR: filePath().default('.reachmap-data'),
  /**
   * The evidence store (a SQLite file: every counted measurement with its verdict, for drill-down and
   * evidence bundles); `<REACHMAP_DATA_DIR>/evidence.sqlite` when unset. The aggregators write it and
   * the API reads it, so they must see the same file (one host, or one machine's volume).
   */
  REACHMAP_EVIDENCE_DB: filePath().optional(),
  LOG_LEVEL: logLevel(),
  /** Interface the HTTP servers bind to; loopback by default, 0.0.0.0 to serve agents elsewhere. */
  HOST: z
    .union([z.ipv4(), z.ipv6(), z.literal('localhost')], { message: 'expected an IP address' })
    .default('127.0.0.1'),
  COLLECTOR_PORT: port().default(8470),
  API_PORT: port().default(8471),
  /**
   * The shipped catalogue agents receive and the aggregator judges by: `lab` (only 198.18.0.0/15, the
   * default, so nothing real is ever measured by accident) or `real`, which a production operator sets.
   */
  REACHMAP_CATALOGUE: z.enum(['lab', 'real'], { message: 'expected lab or real' }).default('lab'),
  /** Store and queue partitions (hash tags `{rm:pN}`) for Redis Cluster; every process must agree. */
  REACHMAP_PARTITIONS: positiveInt().default(1),
});
export type ServerConfig = z.infer<typeof ServerConfig>;
