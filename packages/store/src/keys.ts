import { eventsStreamKey } from '@reachmap/queue';
import type { MeasurementSource, ScopeKey } from '@reachmap/schema';

/**
 * Every Redis key of the store is built here (docs/redis-keys.md is the layout's reference). Each key
 * carries the hash tag of its partition, `{rm:p<N>}`, so all keys one Lua call touches sit in one
 * Redis Cluster slot. Partition 0 shares its tag with the queues (`queuePrefix(0)` in @reachmap/queue).
 */

/** FNV-1a, 32 bit: stable across processes and versions, which `partitionOf` must be. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The partition a scope's keys live in. A country and its ISO 3166-2 regions hash by the country
 * code, so a country's map is read from one partition; an ASN hashes by its own key.
 */
export function partitionOf(scope: ScopeKey, partitions: number): number {
  if (partitions <= 1) return 0;
  const anchor = scope.startsWith('AS') ? scope : scope.slice(0, 2);
  return fnv1a(anchor) % partitions;
}

export function partitionTag(partition: number): string {
  return `{rm:p${partition}}`;
}

/** `scope/target/source` of a rollup; every part is free of `:` so keys split cleanly. */
type RollupKeyPart = { bucket: string; scope: ScopeKey; target: string; source: MeasurementSource };

function rollupSuffix({ bucket, scope, target, source }: RollupKeyPart): string {
  return `${bucket}:${scope}:${target}:${source}`;
}

function keysOfPartition(partition: number) {
  const tag = partitionTag(partition);
  return {
    /**
     * Set of the ids of measurements counted in this partition that started in the hour `1h-…`
     * (the exactly-once guard; `countedHourOf` gives a measurement's hour).
     */
    counted: (hourBucket: string) => `${tag}:counted:${hourBucket}`,
    /** Hash of counters: `runs`, `status:<s>`, `method:<m>`, `controls:<healthy|failed|unknown>`. */
    rollup: (part: RollupKeyPart) => `${tag}:roll:${rollupSuffix(part)}`,
    /** HyperLogLog of the agents behind a rollup. */
    rollupAgents: (part: RollupKeyPart) => `${tag}:roll-agents:${rollupSuffix(part)}`,
    /** Hash of throughput bin → runs (bins of @reachmap/rollup's histogram). */
    rollupThroughput: (part: RollupKeyPart) => `${tag}:roll-tput:${rollupSuffix(part)}`,
    /** Sorted set of verdict entries of a (region or ASN, target), scored by measurement time. */
    window: (scope: ScopeKey, target: string) => `${tag}:win:${scope}:${target}`,
    /** Sorted set of control entries of a scope, scored by measurement time. */
    controls: (scope: ScopeKey) => `${tag}:ctl:${scope}`,
    /** Sorted set of `<agent>|<minute>` heard in a scope, scored by the latest measurement time. */
    heartbeats: (scope: ScopeKey) => `${tag}:hb:${scope}`,
    /** List of agents heard per evaluated window, oldest first: the outage baseline's history. */
    heartbeatHistory: (scope: ScopeKey) => `${tag}:hb-hist:${scope}`,
    /** JSON of a (region or ASN, target)'s state machine, with its compare-and-set version. */
    scopeState: (scope: ScopeKey, target: string) => `${tag}:state:${scope}:${target}`,
    /** JSON of a scope's outage state machine. */
    outageState: (scope: ScopeKey) => `${tag}:outage:${scope}`,
    /**
     * Hash of OONI-shaped counts per `1h-…`/`1d-…` bucket (ooni-index.ts): field = basis, source,
     * OONI count class and OONI's axes; value = measurements. Lives in the country's partition.
     */
    ooniIndex: (bucket: string) => `${tag}:ooni-idx:${bucket}`,
    /** Set of `<scope>|<target>` pairs with a state machine (regions and ASNs). */
    pairs: `${tag}:pairs`,
    /** Set of every scope (country, region, ASN) that has had a measurement. */
    scopes: `${tag}:scopes`,
    /** Set of ASN scopes seen in a country, for deriving the country's state. */
    countryAsns: (country: string) => `${tag}:country-asns:${country}`,
    /** Set of region scopes seen in a country (its partition), for the map's `country=`. */
    countryRegions: (country: string) => `${tag}:country-regions:${country}`,
    /** Set of ASN scopes seen in a region (in its country's partition), for the map's `region=`. */
    regionAsns: (region: string) => `${tag}:region-asns:${region}`,
    /** Stream of scope events of this partition. */
    events: eventsStreamKey(partition),
    /** JSON `{ measurement, verdict, controls, received_at }` of a control measurement, for its round's targets. */
    controlRecord: (measurementId: string) => `${tag}:ctl-msm:${measurementId}`,
    /** Lock so only one aggregator process evaluates the partition's windows at a time. */
    evaluatorLock: `${tag}:evaluator-lock`,
    /** List of W3C trace context JSON of the ingest spans that last counted into a scope, newest first; only with tracing. */
    scopeTraces: (scope: ScopeKey) => `${tag}:traces:${scope}`,
  };
}
export type StoreKeys = ReturnType<typeof keysOfPartition>;

// Counting asks for a partition's keys several times per measurement; the set is built once each.
const keysByPartition = new Map<number, StoreKeys>();

/** The key names of one partition's data (the hash tag keeps them in one Redis Cluster slot). */
export function storeKeys(partition: number): StoreKeys {
  let keys = keysByPartition.get(partition);
  if (keys === undefined) {
    keys = keysOfPartition(partition);
    keysByPartition.set(partition, keys);
  }
  return keys;
}

/** Measurements the aggregator could not count, kept for operators; partition 0 like the queues. */
export const DEAD_LETTER_KEYS = {
  /** Stream of dead-letter records, newest last, capped (`deadLetterCap`). */
  stream: `${partitionTag(0)}:dead-letters`,
  /** Counter of every dead letter ever written; never trimmed, so /metrics can show the total. */
  total: `${partitionTag(0)}:dead-letters-total`,
};

/** Member of `pairs`: scope keys and target ids never contain `|`. */
export function pairMember(scope: ScopeKey, target: string): string {
  return `${scope}|${target}`;
}

export function parsePairMember(member: string): { scope: ScopeKey; target: string } {
  const [scope = '', target = ''] = member.split('|');
  return { scope, target };
}
