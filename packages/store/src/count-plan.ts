import { binOf, bucketId, type WindowRun } from '@reachmap/rollup';
import { type ScopeKey, scopeLevelOf, scopesOfNetwork } from '@reachmap/schema';
import type { ClassifiedMeasurement } from './classified-measurement.ts';
import { encodeControlEntry, encodeHeartbeat, encodeWindowRun } from './entries.ts';
import { pairMember, partitionOf, storeKeys } from './keys.ts';
import { encodeOoniIndexField, ooniIndexEntries } from './ooni-index.ts';
import { keptGranularities, rollupExpiry } from './rollup-retention.ts';
import type { StoreConfig } from './store-config.ts';

/** One write of `apply-once.lua`: name, 1-based index into KEYS, then string arguments. */
export type Operation = [name: string, keyIndex: number, ...args: string[]];

/**
 * One measurement's share of a partition plan: the KEYS index of its "counted" marker, then the
 * 1-based indices into `PartitionPlan.operations` of the writes it adds.
 */
export type MeasurementPlan = [marker: number, ...operations: number[]];

/**
 * Everything a job's measurements write into one partition, applied atomically and each measurement
 * at most once. The measurements of a job mostly write the same increments to the same keys, so each
 * distinct write is listed once in `operations` and measurements refer to it by index; the script
 * applies a write once per newly counted measurement that refers to it. `upkeep` (TTLs, trims, caps)
 * runs once per key that a newly counted measurement wrote: its arguments depend only on the key (a
 * bucket's end) and on the call (`now`, the config), so once is what running it after every
 * measurement would leave behind.
 */
export interface PartitionPlan {
  partition: number;
  /** KEYS of the script, all of the partition. */
  keys: string[];
  /** Position of each planned measurement in the list given to `planCount`, in plan order. */
  positions: number[];
  measurements: MeasurementPlan[];
  /** Distinct additive writes (increments, set and list members, the recent record). */
  operations: Operation[];
  upkeep: Operation[];
}

/**
 * Tells operations apart for deduplication. NUL never occurs in names or arguments (ids, statuses,
 * numbers, JSON text), so joining on it is unambiguous, and much cheaper than JSON.stringify on the
 * hot path (about a hundred operations per measurement, most of them repeats).
 */
function identityOf(name: string, keyIndex: number, args: readonly (string | number)[]): string {
  return `${name}\u0000${keyIndex}\u0000${args.join('\u0000')}`;
}

class PlanBuilder {
  readonly partition: number;
  readonly #keys = new Map<string, number>();
  readonly #positions: number[] = [];
  readonly #measurements: MeasurementPlan[] = [];
  readonly #operations: Operation[] = [];
  readonly #operationIndex = new Map<string, number>();
  readonly #upkeep = new Map<string, Operation>();
  #current: MeasurementPlan;

  constructor(partition: number, position: number, marker: string) {
    this.partition = partition;
    this.#current = this.#start(position, marker);
  }

  #indexOf(key: string): number {
    let index = this.#keys.get(key);
    if (index === undefined) {
      index = this.#keys.size + 1;
      this.#keys.set(key, index);
    }
    return index;
  }

  #start(position: number, marker: string): MeasurementPlan {
    const measurement: MeasurementPlan = [this.#indexOf(marker)];
    this.#positions.push(position);
    this.#measurements.push(measurement);
    return measurement;
  }

  /** Directs the next writes to the measurement at `position`, guarded by its `marker` key. */
  begin(position: number, marker: string): void {
    if (this.#positions.at(-1) !== position) this.#current = this.#start(position, marker);
  }

  /** An additive write of the current measurement. */
  add(name: string, key: string, ...args: (string | number)[]): void {
    const keyIndex = this.#indexOf(key);
    const identity = identityOf(name, keyIndex, args);
    let index = this.#operationIndex.get(identity);
    if (index === undefined) {
      index = this.#operations.push([name, keyIndex, ...args.map(String)]);
      this.#operationIndex.set(identity, index);
    }
    this.#current.push(index);
  }

  /** Upkeep of a key: kept once per distinct (name, key, arguments). */
  upkeep(name: string, key: string, ...args: (string | number)[]): void {
    const keyIndex = this.#indexOf(key);
    const identity = identityOf(name, keyIndex, args);
    if (!this.#upkeep.has(identity)) this.#upkeep.set(identity, [name, keyIndex, ...args.map(String)]);
  }

  plan(): PartitionPlan {
    return {
      partition: this.partition,
      keys: [...this.#keys.keys()],
      positions: this.#positions,
      measurements: this.#measurements,
      operations: this.#operations,
      upkeep: [...this.#upkeep.values()],
    };
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
  now: number,
): void {
  const { measurement, verdict } = classified;
  const keys = storeKeys(builder.partition);
  const time = Date.parse(measurement.start_time);
  const goodputs = targetGoodputs(classified);
  // A bucket already past its retention is left out: written, it would be deleted at once.
  for (const granularity of keptGranularities(time, measurement.source.kind, config, now)) {
    const part = {
      bucket: bucketId(time, granularity),
      scope,
      target: measurement.target.id,
      source: measurement.source.kind,
    };
    const expireAt = rollupExpiry(time, granularity, measurement.source.kind, config);
    const expire = (key: string) => {
      if (expireAt !== null) builder.upkeep('pexpireat', key, expireAt);
    };
    const counters = keys.rollup(part);
    builder.add('hincrby', counters, 'runs', 1);
    builder.add('hincrby', counters, `status:${verdict.status}`, 1);
    if (verdict.method !== null) builder.add('hincrby', counters, `method:${verdict.method}`, 1);
    builder.add('hincrby', counters, `controls:${classified.controls}`, 1);
    expire(counters);
    const agents = keys.rollupAgents(part);
    builder.add('pfadd', agents, measurement.agent.id);
    expire(agents);
    if (goodputs.length > 0) {
      const throughput = keys.rollupThroughput(part);
      for (const bps of goodputs) builder.add('hincrby', throughput, binOf(bps), 1);
      expire(throughput);
    }
    const witnesses = keys.rollupWitnesses(part);
    builder.add('lpush', witnesses, `${verdict.status}:${measurement.id}`);
    builder.upkeep('ltrim-cap', witnesses, config.rollupWitnessCap);
    expire(witnesses);
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
  builder.upkeep('zrem-below', key, now - config.entryRetentionMs);
  builder.upkeep('pexpire', key, config.entryRetentionMs);
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
  builder.upkeep('zrem-below', heartbeats, now - config.entryRetentionMs);
  builder.upkeep('pexpire', heartbeats, config.entryRetentionMs);
  builder.add('sadd', keys.scopes, scope);
}

function addRecentRecord(builder: PlanBuilder, classified: ClassifiedMeasurement, config: StoreConfig) {
  const keys = storeKeys(builder.partition);
  const { measurement } = classified;
  builder.add('set-px', keys.measurement(measurement.id), JSON.stringify(classified), config.recentTtlMs);
  builder.add('zadd', keys.recentIndex, Date.parse(measurement.start_time), measurement.id);
  builder.upkeep('zcap', keys.recentIndex, config.recentIndexCap);
}

/** OONI-shaped counts for /api/v1/aggregation: hourly and daily, kept like the rollups of those sizes. */
const OONI_INDEX_GRANULARITIES = new Set(['1h', '1d']);

function addOoniIndex(
  builder: PlanBuilder,
  classified: ClassifiedMeasurement,
  config: StoreConfig,
  now: number,
) {
  const entries = ooniIndexEntries(classified);
  if (entries.length === 0) return;
  const { measurement } = classified;
  const keys = storeKeys(builder.partition);
  const time = Date.parse(measurement.start_time);
  for (const granularity of keptGranularities(time, measurement.source.kind, config, now)) {
    if (!OONI_INDEX_GRANULARITIES.has(granularity)) continue;
    const key = keys.ooniIndex(bucketId(time, granularity));
    for (const entry of entries) builder.add('hincrby', key, encodeOoniIndexField(entry), 1);
    const expireAt = rollupExpiry(time, granularity, measurement.source.kind, config);
    if (expireAt !== null) builder.upkeep('pexpireat', key, expireAt);
  }
}

/**
 * The writes of a list of classified measurements, one plan per partition their scopes live in, each
 * measurement guarded by its own "counted" marker in every partition it writes to. The recent record
 * and the country's ASN index go to the country's partition, where readers look for them.
 */
export function planCount(
  measurements: readonly ClassifiedMeasurement[],
  config: StoreConfig,
  now: number,
): PartitionPlan[] {
  const builders = new Map<number, PlanBuilder>();
  for (const [position, classified] of measurements.entries()) {
    const { measurement } = classified;
    const builderFor = (scope: ScopeKey) => {
      const partition = partitionOf(scope, config.partitions);
      const marker = storeKeys(partition).counted(measurement.id);
      let builder = builders.get(partition);
      if (builder === undefined) {
        builder = new PlanBuilder(partition, position, marker);
        builders.set(partition, builder);
      } else builder.begin(position, marker);
      return builder;
    };
    const country = measurement.network.country;
    for (const scope of scopesOfNetwork(measurement.network)) {
      const builder = builderFor(scope);
      addRollups(builder, scope, classified, config, now);
      addEvaluationEntries(builder, scope, classified, config, now);
    }
    const home = builderFor(country);
    addRecentRecord(home, classified, config);
    addOoniIndex(home, classified, config, now);
    const asn = `AS${measurement.network.asn}`;
    home.add('sadd', storeKeys(home.partition).countryAsns(country), asn);
    // A region hashes with its country, so its set lives in the same partition.
    const region = measurement.network.region;
    if (region !== null) {
      home.add('sadd', storeKeys(home.partition).countryRegions(country), region);
      home.add('sadd', storeKeys(home.partition).regionAsns(region), asn);
    }
  }
  return [...builders.values()].map((builder) => builder.plan());
}
