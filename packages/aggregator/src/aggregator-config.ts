import { duration, filePath, port, positiveInt, ServerConfig } from '@reachmap/config';
import { z } from 'zod';

/** The aggregator's settings (docs/configuration.md conventions: environment names, durations as text). */
export const AggregatorConfig = ServerConfig.pick({
  REDIS_URL: true,
  REDIS_EMBEDDED_MAXMEMORY: true,
  REACHMAP_DATA_DIR: true,
  REACHMAP_EVIDENCE_DB: true,
  LOG_LEVEL: true,
  REACHMAP_CATALOGUE: true,
  REACHMAP_PARTITIONS: true,
}).extend({
  /** Where the raw archive goes; `<REACHMAP_DATA_DIR>/archive` when unset. */
  REACHMAP_ARCHIVE_DIR: filePath().optional(),
  /** Evaluation window: 15 min in production, ~60 s in the lab (docs/state-machine.md). */
  REACHMAP_WINDOW: duration().default(15 * 60_000),
  /** How long after a window closes it is evaluated, so that late submissions still count. */
  REACHMAP_EVALUATION_GRACE: duration().default(30_000),
  /**
   * How long after its evaluation a window is judged again when late runs arrive (runs count by start
   * time; a round that starts late in a window arrives after it closed). Default: one window.
   */
  REACHMAP_LATENESS: duration().optional(),
  /** How often closed windows are looked for; silence must close states and open outages too. */
  REACHMAP_EVALUATE_EVERY: duration().default(15_000),
  /** Windows an evaluator catches up after a pause; older ones are skipped. */
  REACHMAP_CATCH_UP_WINDOWS: positiveInt().default(4),
  /** A target whose round controls have not arrived is re-checked after this delay… */
  REACHMAP_CONTROL_WAIT: duration().default(10_000),
  /** …this many times, then classified with the controls at hand. */
  REACHMAP_CONTROL_WAIT_ATTEMPTS: positiveInt().default(3),
  /**
   * A target failing in 80 % of the regions with evidence across at least this many countries is
   * down, not blocked (docs/state-machine.md, "Target outages"); a large number turns the rule off.
   */
  REACHMAP_TARGET_OUTAGE_COUNTRIES: positiveInt().min(2, 'expected at least 2 countries').default(3),
  REACHMAP_ROLLUP_TTL_5M: duration().default(48 * 3_600_000),
  REACHMAP_ROLLUP_TTL_1H: duration().default(90 * 86_400_000),
  REACHMAP_ROLLUP_TTL_1D: duration().default(3 * 365 * 86_400_000),
  /** Daily rollups of imported history (OONI archives): `forever` (default) or a duration. */
  REACHMAP_ROLLUP_TTL_IMPORTED_1D: z
    .union([z.literal('forever'), duration()])
    .default('forever')
    .transform((value) => (value === 'forever' ? null : value)),
  /** How long the evidence store keeps a measurement after it was counted. */
  REACHMAP_RECENT_TTL: duration().default(48 * 3_600_000),
  AGGREGATOR_CONCURRENCY: positiveInt().default(4),
  /**
   * How long a classified job waits for others to join its flush to Redis (group commit). 0: only the
   * jobs ready together, or while a flush is under way, are merged, which under load is most of them.
   */
  REACHMAP_FLUSH_LINGER: duration().default(0),
  /** The aggregator has no API, so /metrics gets a listener of its own; loopback unless an operator opens it. */
  AGGREGATOR_METRICS_HOST: ServerConfig.shape.HOST,
  AGGREGATOR_METRICS_PORT: port().default(8472),
});
export type AggregatorConfig = z.infer<typeof AggregatorConfig>;
