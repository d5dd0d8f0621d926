import { binOf, bucketId, type WindowRun } from '@reachmap/rollup';
import { type ScopeKey, scopeLevelOf, scopesOfNetwork } from '@reachmap/schema';
import type { ClassifiedMeasurement } from './classified-measurement.ts';
import { encodeControlRecord } from './control-record-codec.ts';
import { encodeControlEntry, encodeHeartbeat, encodeWindowRun } from './entries.ts';
import { pairMember, partitionOf, storeKeys } from './keys.ts';
import { encodeOoniIndexField, ooniIndexEntries } from './ooni-index.ts';
import { keptGranularities, rollupExpiry } from './rollup-retention.ts';
import type { StoreConfig } from './store-config.ts';

/** One write of `apply-once.lua`: name, 1-based index into KEYS, then string arguments. */
export type Operation = [name: string, keyIndex: number, ...args: string[]];

/** A partition's "counted" set of one hour (KEYS index) and the measurement ids the plan adds to it. */
export type MarkerPlan = [setIndex: number, ...ids: string[]];

/**
 * Everything some measurements write into one partition, merged in memory and applied atomically by
 * one Lua call: an increment appears once with the sum of its measurements, the members of a set,
 * sorted set, HyperLogLog or list once per key (a capped list only with the members that survive its
 * cap), and `upkeep` (TTLs, trims, caps) once per key: its arguments depend only on the key (a
 * bucket's end) and on the call (`now`, the config), so once is what running it after every
 * measurement would leave behind. The plan assumes every measurement in it is new; the script checks
 * that against the partition's "counted" sets and writes nothing otherwise (see `countMeasurements`).
 */
export interface PartitionPlan {
  partition: number;
  /** KEYS of the script, all of the partition. */
  keys: string[];
  /** Position of each planned measurement in the list given to `planCount`, in plan order. */
  positions: number[];
  /** Measurement ids of the plan grouped by their "counted" set. */
  markers: MarkerPlan[];
  /** Merged writes (increments, set and list members, the control records). */
  operations: Operation[];
  upkeep: Operation[];
}

/**
 * Tells writes apart for merging. NUL never occurs in names or arguments (ids, statuses, numbers,
 * JSON text), so joining on it is unambiguous, and much cheaper than JSON.stringify on the hot path.
 */
function identityOf(name: string, keyIndex: number, args: readonly (string | number)[]): string {
  return `${name}\u0000${keyIndex}\u0000${args.join('\u0000')}`;
}

/** Writes whose members merge into one command per key (set-like ones idempotent). */
type MemberWrite = 'pfadd' | 'zadd' | 'zadd-gt' | 'sadd';

class PlanBuilder {
  readonly partition: number;
  readonly #keys = new Map<string, number>();
  readonly #positions: number[] = [];
  readonly #markers = new Map<number, MarkerPlan>();
  readonly #increments = new Map<string, { keyIndex: number; field: string; amount: number }>();
  readonly #members = new Map<
    string,
    { name: MemberWrite; keyIndex: number; args: string[]; distinct: Set<string> | null }
  >();
  readonly #records: Operation[] = [];
  readonly #upkeep = new Map<string, Operation>();

  constructor(partition: number) {
    this.partition = partition;
  }

  /** KEYS index of a key (1-based), for upkeep that refers to another key. */
  keyIndexOf(key: string): number {
    return this.#indexOf(key);
  }

  #indexOf(key: string): number {
    let index = this.#keys.get(key);
    if (index === undefined) {
      index = this.#keys.size + 1;
      this.#keys.set(key, index);
    }
    return index;
  }

  /** The measurement at `position` writes to this partition; `marker` is its "counted" set. */
  begin(position: number, marker: string, measurementId: string): void {
    if (this.#positions.at(-1) === position) return;
    this.#positions.push(position);
    const setIndex = this.#indexOf(marker);
    let plan = this.#markers.get(setIndex);
    if (plan === undefined) {
      plan = [setIndex];
      this.#markers.set(setIndex, plan);
    }
    plan.push(measurementId);
  }

  increment(key: string, field: string | number, amount: number): void {
    const keyIndex = this.#indexOf(key);
    const identity = `${keyIndex}\u0000${field}`;
    const current = this.#increments.get(identity);
    if (current === undefined) this.#increments.set(identity, { keyIndex, field: String(field), amount });
    else current.amount += amount;
  }

  /** Members of a set-like key; `args` of ZADD are score, member. */
  members(name: MemberWrite, key: string, ...args: (string | number)[]): void {
    const keyIndex = this.#indexOf(key);
    const slot = `${name}\u0000${keyIndex}`;
    let write = this.#members.get(slot);
    if (write === undefined) {
      // PFADD and SADD members are idempotent: each is sent once however many measurements add it.
      const distinct = name === 'pfadd' || name === 'sadd' ? new Set<string>() : null;
      write = { name, keyIndex, args: [], distinct };
      this.#members.set(slot, write);
    }
    for (const arg of args) {
      const text = String(arg);
      if (write.distinct?.has(text)) continue;
      write.distinct?.add(text);
      write.args.push(text);
    }
  }

  record(key: string, value: string, ttlMs: number): void {
    this.#records.push(['set-px', this.#indexOf(key), value, String(ttlMs)]);
  }

  /** Upkeep of a key: kept once per distinct (name, key, arguments). */
  upkeep(name: string, key: string, ...args: (string | number)[]): void {
    const keyIndex = this.#indexOf(key);
    const identity = identityOf(name, keyIndex, args);
    if (!this.#upkeep.has(identity)) this.#upkeep.set(identity, [name, keyIndex, ...args.map(String)]);
  }

  plan(): PartitionPlan {
    const operations: Operation[] = [];
    for (const { keyIndex, field, amount } of this.#increments.values())
      operations.push(['hincrby', keyIndex, field, String(amount)]);
    for (const { name, keyIndex, args } of this.#members.values()) operations.push([name, keyIndex, ...args]);
    operations.push(...this.#records);
    return {
      partition: this.partition,
      keys: [...this.#keys.keys()],
      positions: this.#positions,
      markers: [...this.#markers.values()],
      operations,
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
    // A bucket's expiry is absolute: set once, when the write creates the key (the script tells).
    const expireWhenNew = (key: string, createdWith: string) => {
      if (expireAt !== null) builder.upkeep('pexpireat-new', key, expireAt, builder.keyIndexOf(createdWith));
    };
    const counters = keys.rollup(part);
    builder.increment(counters, 'runs', 1);
    builder.increment(counters, `status:${verdict.status}`, 1);
    if (verdict.method !== null) builder.increment(counters, `method:${verdict.method}`, 1);
    builder.increment(counters, `controls:${classified.controls}`, 1);
    expireWhenNew(counters, counters);
    // Every measurement of the part adds to both, so the agents are new exactly when the counters are.
    const agents = keys.rollupAgents(part);
    builder.members('pfadd', agents, measurement.agent.id);
    expireWhenNew(agents, counters);
    if (goodputs.length > 0) {
      // Not every measurement has throughput runs: this hash may start after its counters did.
      const throughput = keys.rollupThroughput(part);
      for (const bps of goodputs) builder.increment(throughput, binOf(bps), 1);
      if (expireAt !== null) builder.upkeep('pexpireat', throughput, expireAt);
    }
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
  builder.members('zadd', key, score, member);
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
      // A region pools its ISPs' agents; each is judged by the peers of its own ASN (agent-consistency).
      ...(scopeLevelOf(scope) === 'region' ? { asn: `AS${measurement.network.asn}` } : {}),
      // An ASN keeps one slice per region its agents measure from (region-slices).
      ...(scopeLevelOf(scope) === 'asn' && measurement.network.region !== null
        ? { region: measurement.network.region }
        : {}),
    };
    addTimeScored(
      builder,
      keys.window(scope, measurement.target.id),
      time,
      encodeWindowRun(run),
      config,
      now,
    );
    builder.members('sadd', keys.pairs, pairMember(scope, measurement.target.id));
  }
  const heartbeats = keys.heartbeats(scope);
  builder.members('zadd-gt', heartbeats, time, encodeHeartbeat(measurement.agent.id, time));
  builder.upkeep('zrem-below', heartbeats, now - config.entryRetentionMs);
  builder.upkeep('pexpire', heartbeats, config.entryRetentionMs);
  builder.members('sadd', keys.scopes, scope);
}

/**
 * A control measurement is kept in its country's partition for `controlRecordTtlMs`: the targets of
 * its round may come in a later job (on any aggregator) and are classified against it. Every other
 * measurement's evidence lives in the evidence store, not in Redis.
 */
function addControlRecord(builder: PlanBuilder, classified: ClassifiedMeasurement, config: StoreConfig) {
  const { measurement } = classified;
  if (measurement.target.kind !== 'control') return;
  const keys = storeKeys(builder.partition);
  builder.record(
    keys.controlRecord(measurement.id),
    encodeControlRecord(withoutCertificateChains(classified)),
    config.controlRecordTtlMs,
  );
}

/**
 * A control as its round's targets need it: the classifier judges a control by its outcomes, never by
 * the certificates it was shown, which are half of a real control's bytes (2.3 KB per handshake in the
 * demo) and stay in the evidence store.
 */
export function withoutCertificateChains(classified: ClassifiedMeasurement): ClassifiedMeasurement {
  const { measurement } = classified;
  const tls = measurement.observations.tls.map((handshake) => ({ ...handshake, peer_certificates: [] }));
  return {
    ...classified,
    measurement: { ...measurement, observations: { ...measurement.observations, tls } },
  };
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
    for (const entry of entries) builder.increment(key, encodeOoniIndexField(entry), 1);
    const expireAt = rollupExpiry(time, granularity, measurement.source.kind, config);
    if (expireAt !== null) builder.upkeep('pexpireat', key, expireAt);
  }
}

/**
 * The hour whose "counted" set guards a measurement: from its start time, so that a replay, whenever
 * it comes, is checked against the same set.
 */
export function countedHourOf(startTime: string): string {
  return bucketId(Date.parse(startTime), '1h');
}

/**
 * The merged writes of a list of classified measurements, one plan per partition their scopes live
 * in, each measurement listed in that partition's "counted" set of its hour. A control's record
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
    const markerHour = countedHourOf(measurement.start_time);
    const builderFor = (scope: ScopeKey) => {
      const partition = partitionOf(scope, config.partitions);
      let builder = builders.get(partition);
      if (builder === undefined) {
        builder = new PlanBuilder(partition);
        builders.set(partition, builder);
      }
      builder.begin(position, storeKeys(partition).counted(markerHour), measurement.id);
      return builder;
    };
    const country = measurement.network.country;
    for (const scope of scopesOfNetwork(measurement.network)) {
      const builder = builderFor(scope);
      addRollups(builder, scope, classified, config, now);
      addEvaluationEntries(builder, scope, classified, config, now);
    }
    const home = builderFor(country);
    addControlRecord(home, classified, config);
    addOoniIndex(home, classified, config, now);
    const asn = `AS${measurement.network.asn}`;
    home.members('sadd', storeKeys(home.partition).countryAsns(country), asn);
    // A region hashes with its country, so its set lives in the same partition.
    const region = measurement.network.region;
    if (region !== null) {
      home.members('sadd', storeKeys(home.partition).countryRegions(country), region);
      home.members('sadd', storeKeys(home.partition).regionAsns(region), asn);
    }
  }
  return [...builders.values()].map((builder) => builder.plan());
}
