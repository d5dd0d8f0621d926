import type { RedisClient } from '@reachmap/queue';
import type { MeasurementSource, ScopeKey } from '@reachmap/schema';
import { scopeLevelOf } from '@reachmap/schema';
import { partitionOf, readSeries, type StoreConfig, storeKeys } from '@reachmap/store';
import type { Catalogue } from '@reachmap/targets';
import type { OoniAggregationQuery, OoniAxis } from './aggregation-query.ts';
import { addToOoniCounts, emptyOoniCounts, type OoniCounts } from './ooni-counts.ts';
import { type OoniView, ooniViewOf } from './ooni-test-of-target.ts';
import { resolveTimeGrain, rollupGranularityOf, timeLabel } from './time-grain.ts';

type AxisValues = Partial<Record<OoniAxis, string | number | null>>;
export type OoniRow = OoniCounts & AxisValues;

interface ScopeOfQuery {
  scope: ScopeKey;
  probe_cc: string;
  probe_asn: number | null;
}

/**
 * The scopes a query reads: ASN scopes (with their country) when it filters or groups by ASN, country
 * scopes otherwise. Rollups exist per country, region and ASN; countries already sum their regions.
 */
async function scopesOf(
  redis: RedisClient,
  store: StoreConfig,
  countries: string[],
  query: OoniAggregationQuery,
): Promise<ScopeOfQuery[]> {
  const byAsn = query.probe_asn !== undefined || query.axis_x === 'probe_asn' || query.axis_y === 'probe_asn';
  const wanted = countries.filter((cc) => query.probe_cc === undefined || cc === query.probe_cc);
  if (!byAsn) return wanted.map((cc) => ({ scope: cc, probe_cc: cc, probe_asn: null }));
  const scopes: ScopeOfQuery[] = [];
  for (const cc of wanted) {
    const asns = await redis.smembers(storeKeys(partitionOf(cc, store.partitions)).countryAsns(cc));
    for (const scope of asns) {
      const asn = Number(scope.slice(2));
      if (query.probe_asn === undefined || asn === query.probe_asn)
        scopes.push({ scope, probe_cc: cc, probe_asn: asn });
    }
  }
  return scopes;
}

function targetsOf(catalogue: Catalogue, query: OoniAggregationQuery): Array<{ id: string; view: OoniView }> {
  return catalogue.targets.flatMap((target) => {
    const view = ooniViewOf(target);
    if (view === null) return [];
    if (query.test_name !== undefined && view.test_name !== query.test_name) return [];
    if (query.domain !== undefined && view.domain !== query.domain) return [];
    if (query.input !== undefined && view.input !== query.input) return [];
    return [{ id: target.id, view }];
  });
}

/**
 * OONI-style aggregation over reachmap's rollups: one row per combination of the requested axes, with
 * OONI's counts. Groups without measurements are left out, as OONI does.
 */
export async function aggregateLikeOoni(
  redis: RedisClient,
  store: StoreConfig,
  catalogue: Catalogue,
  scopes: readonly ScopeKey[],
  query: OoniAggregationQuery,
  window: { fromMs: number; toMs: number },
  sources?: MeasurementSource[],
): Promise<OoniRow[]> {
  const grain = resolveTimeGrain(query.time_grain, window.toMs - window.fromMs);
  const countries = scopes.filter((scope) => scopeLevelOf(scope) === 'country');
  const axes = [query.axis_x, query.axis_y].filter((axis): axis is OoniAxis => axis !== undefined);
  const groups = new Map<string, OoniRow>();
  const readScopes = await scopesOf(redis, store, countries, query);
  for (const target of targetsOf(catalogue, query)) {
    for (const scope of readScopes) {
      const points = await readSeries(redis, store, {
        scope: scope.scope,
        target: target.id,
        fromMs: window.fromMs,
        toMs: window.toMs,
        granularity: rollupGranularityOf(grain),
        ...(sources === undefined ? {} : { sources }),
      });
      for (const point of points) {
        if (point.runs === 0) continue;
        const values: Record<OoniAxis, string | number | null> = {
          measurement_start_day: timeLabel(Date.parse(point.start), grain),
          probe_cc: scope.probe_cc,
          probe_asn: scope.probe_asn,
          test_name: target.view.test_name,
          domain: target.view.domain,
          input: target.view.input,
        };
        const key = JSON.stringify(axes.map((axis) => values[axis]));
        const row = groups.get(key) ?? {
          ...emptyOoniCounts(),
          ...Object.fromEntries(axes.map((a) => [a, values[a]])),
        };
        addToOoniCounts(row, point.counts, point.methods.blockpage ?? 0);
        groups.set(key, row);
      }
    }
  }
  return [...groups.values()].sort((a, b) => {
    for (const axis of axes) {
      const order = String(a[axis] ?? '').localeCompare(String(b[axis] ?? ''));
      if (order !== 0) return order;
    }
    return 0;
  });
}
