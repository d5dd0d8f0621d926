import type { RedisClient } from '@reachmap/queue';
import { assessTargetOutage, targetOutagePending } from '@reachmap/rollup';
import { type ScopeKey, scopeLevelOf, type TargetOutage } from '@reachmap/schema';
import { listPairs, readWindowRuns, type WindowSpan } from '@reachmap/store';
import type { AggregatorSettings } from './settings.ts';

/** The target-wide view of a window: the outage if the rule holds, or whether regions not in yet could make it hold. */
export interface TargetWideView {
  outage: TargetOutage | null;
  pending: boolean;
}

export type TargetOutageOf = (target: string, span: WindowSpan) => Promise<TargetWideView>;

/**
 * The target-wide judgement of one window (rollup `assessTargetOutage`), from every region's runs for
 * the target, whatever partition holds them. One evaluation pass shares one reader: each (target,
 * window) is read once however many of its pairs ask, and only pairs whose own window shows
 * interference ask, so a quiet map costs nothing.
 */
export function targetOutageReader(
  redis: RedisClient,
  settings: Pick<AggregatorSettings, 'store' | 'rollup'>,
): TargetOutageOf {
  let regionsByTarget: Promise<Map<string, ScopeKey[]>> | null = null;
  const judged = new Map<string, Promise<TargetWideView>>();

  const regionPairs = async (): Promise<Map<string, ScopeKey[]>> => {
    const byTarget = new Map<string, ScopeKey[]>();
    for (const { scope, target } of await listPairs(redis, settings.store)) {
      if (scopeLevelOf(scope) !== 'region') continue;
      byTarget.set(target, [...(byTarget.get(target) ?? []), scope]);
    }
    return byTarget;
  };

  const judge = async (target: string, span: WindowSpan): Promise<TargetWideView> => {
    regionsByTarget ??= regionPairs();
    const regions = (await regionsByTarget).get(target) ?? [];
    const windows = await Promise.all(
      regions.map(async (region) => {
        const before = { startMs: span.startMs - settings.rollup.windowMs, endMs: span.startMs };
        const [runs, previous] = await Promise.all([
          readWindowRuns(redis, settings.store, region, target, span),
          readWindowRuns(redis, settings.store, region, target, before),
        ]);
        return { region, runs, previous };
      }),
    );
    const outage = assessTargetOutage(windows, settings.rollup);
    return { outage, pending: outage === null && targetOutagePending(windows, settings.rollup) };
  };

  return (target, span) => {
    const key = `${target}|${span.endMs}`;
    let answer = judged.get(key);
    if (answer === undefined) {
      answer = judge(target, span);
      judged.set(key, answer);
    }
    return answer;
  };
}
