import { binOf, bucketExpiresAt, bucketId, Granularity, type WindowRun } from '@reachmap/rollup';
import { type ScopeKey, scopeLevelOf, scopesOfNetwork } from '@reachmap/schema';
import type { ClassifiedMeasurement } from './classified-measurement.ts';
import { encodeControlEntry, encodeHeartbeat, encodeWindowRun } from './entries.ts';
import { pairMember, partitionOf, storeKeys } from './keys.ts';
import type { StoreConfig } from './store-config.ts';

/** One write of `apply-once.lua`: name, 1-based index into KEYS, then string arguments. */
export type Operation = [name: string, keyIndex: string, ...args: string[]];

/** Everything one measurement writes into one partition, applied atomically and at most once. */
export interface PartitionPlan {
  partition: number;
  /** KEYS of the script; the first is the partition's "counted" marker. */
  keys: string[];
  operations: Operation[];
}

class PlanBuilder {
  readonly keys: string[];
  readonly operations: Operation[] = [];
  readonly partition: number;

  constructor(partition: number, marker: string) {
    this.partition = partition;
    this.keys = [marker];
  }

  add(name: string, key: string, ...args: (string | number)[]): void {
    let index = this.keys.indexOf(key);
    if (index < 0) index = this.keys.push(key) - 1;
    this.operations.push([name, String(index + 1), ...args.map(String)]);
  }

  plan(): PartitionPlan {
    return { partition: this.partition, keys: this.keys, operations: this.operations };
  }
}

/** Goodput samples of the transfers to the target itself (the harmless-SNI runs are its control). */
function targetGoodputs(classified: ClassifiedMeasurement): number[] {
  return classified.measurement.observations.throughput
    .filter((run) => run.sni_role === 'target' && run.failure === null)
    .map((run) => run.goodput_bps);
}

function addRollups(
  builder: PlanBuilder,
  scope: ScopeKey,
  classified: ClassifiedMeasurement,
  config: StoreConfig,
): void {
  const { measurement, verdict } = classified;
  const keys = storeKeys(builder.partition);
  const time = Date.parse(measurement.start_time);
  const goodputs = targetGoodputs(classified);
  for (const granularity of Granularity.options) {
    const part = {
      bucket: bucketId(time, granularity),
      scope,
      target: measurement.target.id,
      source: measurement.source.kind,
    };
    const expireAt = bucketExpiresAt(time, granularity, config.retention);
    const counters = keys.rollup(part);
    builder.add('hincrby', counters, 'runs', 1);
    builder.add('hincrby', counters, `status:${verdict.status}`, 1);
    if (verdict.method !== null) builder.add('hincrby', counters, `method:${verdict.method}`, 1);
    builder.add('hincrby', counters, `controls:${classified.controls}`, 1);
    builder.add('pexpireat', counters, expireAt);
    const agents = keys.rollupAgents(part);
    builder.add('pfadd', agents, measurement.agent.id);
    builder.add('pexpireat', agents, expireAt);
    if (goodputs.length > 0) {
      const throughput = keys.rollupThroughput(part);
      for (const bps of goodputs) builder.add('hincrby', throughput, binOf(bps), 1);
      builder.add('pexpireat', throughput, expireAt);
    }
    const witnesses = keys.rollupWitnesses(part);
    builder.add('lpush-capped', witnesses, `${verdict.status}:${measurement.id}`, config.rollupWitnessCap);
    builder.add('pexpireat', witnesses, expireAt);
  }
}

function addTimeScored(
  builder: PlanBuilder,
  key: string,
  score: number,
  member: string,
  config: StoreConfig,
  now: number,
) {
  builder.add('zadd', key, score, member);
  builder.add('zrem-below', key, now - config.entryRetentionMs);
  builder.add('pexpire', key, config.entryRetentionMs);
}

function addEvaluationEntries(
  builder: PlanBuilder,
  scope: ScopeKey,
  classified: ClassifiedMeasurement,
  config: StoreConfig,
  now: number,
): void {
  const { measurement, verdict } = classified;
  const keys = storeKeys(builder.partition);
  const time = Date.parse(measurement.start_time);
  const simulated = measurement.source.kind === 'simulated';
  if (measurement.target.kind === 'control') {
    const entry = encodeControlEntry({
      measurementId: measurement.id,
      agentId: measurement.agent.id,
      roundId: measurement.round.id,
      worked: verdict.status === 'ok',
      simulated,
    });
    addTimeScored(builder, keys.controls(scope), time, entry, config, now);
  } else if (scopeLevelOf(scope) !== 'country') {
    // Countries have no state machine of their own: their map state is derived from regions and ASNs.
    const run: WindowRun = {
      agent_id: measurement.agent.id,
      verdict: { measurement_id: measurement.id, status: verdict.status, method: verdict.method },
      controls_healthy: classified.controls === 'healthy',
      simulated,
    };
    addTimeScored(
      builder,
      keys.window(scope, measurement.target.id),
      time,
      encodeWindowRun(run),
      config,
      now,
    );
    builder.add('sadd', keys.pairs, pairMember(scope, measurement.target.id));
  }
  const heartbeats = keys.heartbeats(scope);
  builder.add('zadd-gt', heartbeats, time, encodeHeartbeat(measurement.agent.id, time));
  builder.add('zrem-below', heartbeats, now - config.entryRetentionMs);
  builder.add('pexpire', heartbeats, config.entryRetentionMs);
  builder.add('sadd', keys.scopes, scope);
}

function addRecentRecord(builder: PlanBuilder, classified: ClassifiedMeasurement, config: StoreConfig) {
  const keys = storeKeys(builder.partition);
  const { measurement } = classified;
  builder.add('set-px', keys.measurement(measurement.id), JSON.stringify(classified), config.recentTtlMs);
  builder.add('zadd', keys.recentIndex, Date.parse(measurement.start_time), measurement.id);
  builder.add('zcap', keys.recentIndex, config.recentIndexCap);
}

/**
 * The writes of one classified measurement, one plan per partition its scopes live in. The recent
 * record and the country's ASN index go to the country's partition, where readers look for them.
 */
export function planCount(
  classified: ClassifiedMeasurement,
  config: StoreConfig,
  now: number,
): PartitionPlan[] {
  const { measurement } = classified;
  const builders = new Map<number, PlanBuilder>();
  const builderFor = (scope: ScopeKey) => {
    const partition = partitionOf(scope, config.partitions);
    let builder = builders.get(partition);
    if (builder === undefined) {
      builder = new PlanBuilder(partition, storeKeys(partition).counted(measurement.id));
      builders.set(partition, builder);
    }
    return builder;
  };
  const country = measurement.network.country;
  for (const scope of scopesOfNetwork(measurement.network)) {
    const builder = builderFor(scope);
    addRollups(builder, scope, classified, config);
    addEvaluationEntries(builder, scope, classified, config, now);
  }
  const home = builderFor(country);
  addRecentRecord(home, classified, config);
  home.add('sadd', storeKeys(home.partition).countryAsns(country), `AS${measurement.network.asn}`);
  return [...builders.values()].map((builder) => builder.plan());
}
