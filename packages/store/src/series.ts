import type { RedisClient } from '@reachmap/queue';
import {
  bucketId,
  bucketStart,
  GRANULARITY_MS,
  type Granularity,
  mergeHistograms,
  quantile,
  ThroughputHistogram,
} from '@reachmap/rollup';
import { MeasurementSource, type ScopeKey, VerdictStatus } from '@reachmap/schema';
import { partitionOf, storeKeys } from './keys.ts';
import type { StoreConfig } from './store-config.ts';

export interface SeriesRequest {
  scope: ScopeKey;
  target: string;
  fromMs: number;
  toMs: number;
  granularity: Granularity;
  /** Which sources to include; all by default. Leave out `simulated` to see real data only. */
  sources?: MeasurementSource[];
}

export interface SeriesPoint {
  bucket: string;
  start: string;
  runs: number;
  /** Runs per verdict status and each status's share of the runs. */
  counts: Partial<Record<VerdictStatus, number>>;
  shares: Partial<Record<VerdictStatus, number>>;
  methods: Record<string, number>;
  /** Distinct agents, estimated by HyperLogLog (±0.81 %). */
  agents: number;
  /** Goodput quantiles in bit/s of transfers to the target; null without transfers. */
  throughput: { p10: number | null; p50: number | null; p90: number | null };
}

/** Verdict shares and throughput quantiles of a (scope, target) per rollup bucket over [from, to). */
export async function readSeries(
  redis: RedisClient,
  config: StoreConfig,
  request: SeriesRequest,
): Promise<SeriesPoint[]> {
  const keys = storeKeys(partitionOf(request.scope, config.partitions));
  const sources = request.sources ?? MeasurementSource.options;
  const starts: number[] = [];
  const step = GRANULARITY_MS[request.granularity];
  for (let start = bucketStart(request.fromMs, request.granularity); start < request.toMs; start += step) {
    starts.push(start);
  }
  return await Promise.all(
    starts.map(async (start): Promise<SeriesPoint> => {
      const bucket = bucketId(start, request.granularity);
      const parts = sources.map((source) => ({
        bucket,
        scope: request.scope,
        target: request.target,
        source,
      }));
      const [counters, histograms, agents] = await Promise.all([
        Promise.all(parts.map((part) => redis.hgetall(keys.rollup(part)))),
        Promise.all(parts.map((part) => redis.hgetall(keys.rollupThroughput(part)))),
        redis.pfcount(...parts.map((part) => keys.rollupAgents(part))),
      ]);
      let runs = 0;
      const counts: SeriesPoint['counts'] = {};
      const methods: SeriesPoint['methods'] = {};
      for (const hash of counters) {
        for (const [field, value] of Object.entries(hash)) {
          const count = Number(value);
          if (field === 'runs') runs += count;
          const [kind, name = ''] = field.split(':');
          if (kind === 'status' && VerdictStatus.safeParse(name).success) {
            const status = name as VerdictStatus;
            counts[status] = (counts[status] ?? 0) + count;
          }
          if (kind === 'method') methods[name] = (methods[name] ?? 0) + count;
        }
      }
      const shares: SeriesPoint['shares'] = {};
      for (const [status, count] of Object.entries(counts)) shares[status as VerdictStatus] = count / runs;
      const histogram = mergeHistograms(...histograms.map((hash) => ThroughputHistogram.parse(hash)));
      return {
        bucket,
        start: new Date(start).toISOString(),
        runs,
        counts,
        shares,
        methods,
        agents,
        throughput: {
          p10: quantile(histogram, 0.1),
          p50: quantile(histogram, 0.5),
          p90: quantile(histogram, 0.9),
        },
      };
    }),
  );
}
