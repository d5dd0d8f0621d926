import type { OoniIndexCount } from '@reachmap/store';
import type { OoniAggregationQuery, OoniAxis } from './aggregation-query.ts';
import { bucketStartOf } from './bucket-plan.ts';
import { addToOoniCounts, emptyOoniCounts, type OoniCounts } from './ooni-counts.ts';
import { type TimeGrain, timeLabel } from './time-grain.ts';

type AxisValue = string | number | null;
export type OoniRow = OoniCounts & Partial<Record<OoniAxis, AxisValue>>;

/** OONI's `domain`: the host of the input URL; none for the messenger tests. */
export function domainOf(input: string | null): string | null {
  if (input === null || !URL.canParse(input)) return null;
  return new URL(input).hostname;
}

function basisOf(query: OoniAggregationQuery): 'reachmap' | 'ooni' {
  return query.verdicts ?? (query.source === 'ooni' ? 'ooni' : 'reachmap');
}

/** Whether an index count is in the query's selection (everything but time, already chosen by bucket). */
function selected(count: OoniIndexCount, query: OoniAggregationQuery): boolean {
  const { entry } = count;
  if (entry.basis !== basisOf(query)) return false;
  if (entry.source === 'simulated') return false;
  if (query.source !== 'all' && entry.source !== query.source) return false;
  if (query.probe_cc && !query.probe_cc.includes(entry.probe_cc)) return false;
  if (query.probe_asn && !query.probe_asn.includes(entry.probe_asn)) return false;
  if (query.test_name && !query.test_name.includes(entry.test_name)) return false;
  if (query.input !== undefined && entry.input !== query.input) return false;
  if (
    query.category_code &&
    (entry.category_code === null || !query.category_code.includes(entry.category_code))
  )
    return false;
  if (query.domain) {
    const domain = domainOf(entry.input);
    if (domain === null || !query.domain.includes(domain)) return false;
  }
  return true;
}

function axisValue(axis: OoniAxis, count: OoniIndexCount, grain: TimeGrain): AxisValue {
  const { entry } = count;
  switch (axis) {
    case 'measurement_start_day':
      return timeLabel(bucketStartOf(count.bucket), grain);
    case 'domain':
      return domainOf(entry.input);
    case 'input':
      return entry.input;
    case 'probe_cc':
      return entry.probe_cc;
    case 'probe_asn':
      return entry.probe_asn;
    case 'test_name':
      return entry.test_name;
    case 'category_code':
      return entry.category_code;
    case 'blocking_type':
      return entry.blocking_type;
  }
}

/**
 * OONI-style aggregation over the OONI index: one row per combination of the requested axes with
 * OONI's four disjoint counts; groups without measurements are left out, as OONI does.
 */
export function aggregateLikeOoni(
  counts: readonly OoniIndexCount[],
  query: OoniAggregationQuery,
  grain: TimeGrain,
): OoniRow[] {
  const axes = [query.axis_x, query.axis_y].filter((axis): axis is OoniAxis => axis !== undefined);
  const groups = new Map<string, OoniRow>();
  for (const count of counts) {
    if (!selected(count, query)) continue;
    const values = axes.map((axis) => axisValue(axis, count, grain));
    const key = JSON.stringify(values);
    let row = groups.get(key);
    if (row === undefined) {
      row = { ...emptyOoniCounts(), ...Object.fromEntries(axes.map((axis, i) => [axis, values[i] ?? null])) };
      groups.set(key, row);
    }
    addToOoniCounts(row, count.entry.class, count.count);
  }
  return [...groups.values()].sort((a, b) => {
    for (const axis of axes) {
      const order = String(a[axis] ?? '').localeCompare(String(b[axis] ?? ''));
      if (order !== 0) return order;
    }
    return 0;
  });
}
