import type { RedisClient } from '@reachmap/queue';
import {
  deriveCountryState,
  InterferenceStatus,
  regionSplit,
  type ScopeMachineState,
} from '@reachmap/rollup';
import { type ScopeKey, type ScopeLevel, type ScopeState, scopeLevelOf } from '@reachmap/schema';
import { pairMember, parsePairMember, partitionOf, storeKeys } from './keys.ts';
import { readOutageMachine, readStoredScopeState, type StoredScopeState } from './state-store.ts';
import type { StoreConfig } from './store-config.ts';

const EPOCH = new Date(0).toISOString();

function interferenceShown(machine: ScopeMachineState) {
  return InterferenceStatus.safeParse(machine.state).success ? machine.interference : null;
}

function discountedOf(stored: StoredScopeState): Pick<ScopeState, 'discounted'> {
  const standings = Object.values(stored.agent_standings ?? {}).flatMap((standing) =>
    standing.discounted === null ? [] : [standing.discounted.reason],
  );
  return standings.length === 0
    ? {}
    : { discounted: { agents: standings.length, reasons: [...new Set(standings)].slice(0, 20) } };
}

/** The map's view of a stored machine. */
export function scopeStateOf(stored: StoredScopeState): ScopeState {
  const { machine, last_window } = stored;
  const open = interferenceShown(machine);
  return {
    ...discountedOf(stored),
    scope: machine.scope,
    target: machine.target,
    state: machine.state,
    method: machine.state === 'outage' ? 'outage' : (open?.method ?? null),
    confidence: open?.confidence ?? 0,
    since: machine.since ?? machine.last_window_end ?? EPOCH,
    agents: open?.agents ?? last_window.agents,
    simulated: open?.simulated ?? last_window.all_simulated,
    ...(machine.state === 'outage' && machine.target_outage !== undefined
      ? { target_outage: machine.target_outage }
      : {}),
  };
}

function allPartitions(config: StoreConfig): number[] {
  return Array.from({ length: config.partitions }, (_, partition) => partition);
}

/** Every (region or ASN, target) pair with a machine, from every partition; one target's when given. */
export async function listPairs(
  redis: RedisClient,
  config: StoreConfig,
  target?: string,
): Promise<{ scope: ScopeKey; target: string }[]> {
  const sets = await Promise.all(allPartitions(config).map((p) => redis.smembers(storeKeys(p).pairs)));
  const pairs = sets.flat().map(parsePairMember);
  return target === undefined ? pairs : pairs.filter((pair) => pair.target === target);
}

/** Every scope that has had a measurement, countries, regions and ASNs alike, sorted. */
export async function listScopes(redis: RedisClient, config: StoreConfig): Promise<ScopeKey[]> {
  const sets = await Promise.all(allPartitions(config).map((p) => redis.smembers(storeKeys(p).scopes)));
  return [...new Set(sets.flat())].sort();
}

/** A region's or ASN's state for a target, or the country's derived from them. */
export async function readScopeState(
  redis: RedisClient,
  config: StoreConfig,
  scope: ScopeKey,
  target: string,
): Promise<ScopeState> {
  const level = scopeLevelOf(scope);
  if (level === 'country') return await readCountryState(redis, config, scope, target);
  const stored = await readStoredScopeState(redis, config, scope, target);
  const own = scopeStateOf(stored);
  return level === 'region' ? await splitAlongIsps(redis, config, own) : splitAlongRegions(stored, own);
}

/**
 * An ASN whose regions disagree is `partial`, whatever its pooled runs say: a national ISP blocking in
 * one region only pools to mostly ok. Its region slices (rollup `RegionSlices`) are judged as a
 * country's children are; an ASN heard from one region, or whose regions agree, keeps its own state.
 */
function splitAlongRegions(stored: StoredScopeState, own: ScopeState): ScopeState {
  const split = regionSplit(stored.region_slices ?? {});
  if (split === null) return own;
  const opened = split.interfering.flatMap((slice) =>
    slice.interference === null ? [] : [slice.interference],
  );
  return shownPartial(own, split.method, opened);
}

/** The partial state shown for `own`: the interfering parts' method, best confidence and earliest start. */
function shownPartial(
  own: ScopeState,
  method: ScopeState['method'],
  interfering: readonly { confidence: number; since: string }[],
): ScopeState {
  return {
    ...own,
    state: 'partial',
    method,
    confidence: Math.max(0, ...interfering.map((part) => part.confidence)),
    since: interfering.map((part) => part.since).sort()[0] ?? own.since,
  };
}

/**
 * A region whose ISPs disagree is `partial`, whatever its pooled runs say: two ISPs, one stalling
 * Telegram for its 6 runs while the other's 12 are ok, pool to 67 % ok (accessible), which hides an
 * ISP-level block. Its ASNs (`region-asns`) are judged as a country's children are; only their
 * `partial` overrides the region's own state, so a region with one ISP, or ISPs that agree, keeps it.
 */
async function splitAlongIsps(redis: RedisClient, config: StoreConfig, own: ScopeState): Promise<ScopeState> {
  const asns = await redis.smembers(
    storeKeys(partitionOf(own.scope, config.partitions)).regionAsns(own.scope),
  );
  if (asns.length < 2) return own;
  const children = (
    await Promise.all(asns.map((asn) => readStoredScopeState(redis, config, asn, own.target)))
  ).filter((child) => child.version > 0);
  const derived = deriveCountryState(children.map((child) => child.machine));
  if (derived.state !== 'partial') return own;
  const interfering = children
    .filter((child) => InterferenceStatus.safeParse(child.machine.state).success)
    .map(scopeStateOf);
  return shownPartial(own, derived.method, interfering);
}

/** One partition's pairs for a target: a country's regions share its partition. */
async function pairsOfTarget(redis: RedisClient, partition: number, target: string) {
  const members = await redis.smembers(storeKeys(partition).pairs);
  return members.map(parsePairMember).filter((pair) => pair.target === target);
}

/**
 * A country's state for a target, derived with @reachmap/rollup's `deriveCountryState` from its
 * regions (same partition) and the ASNs seen in it (each in its own partition).
 */
async function readCountryState(
  redis: RedisClient,
  config: StoreConfig,
  country: ScopeKey,
  target: string,
): Promise<ScopeState> {
  const keys = storeKeys(partitionOf(country, config.partitions));
  const [pairs, asns, outage] = await Promise.all([
    pairsOfTarget(redis, partitionOf(country, config.partitions), target),
    redis.smembers(keys.countryAsns(country)),
    readOutageMachine(redis, config, country),
  ]);
  const regions = pairs.filter((pair) => pair.scope.startsWith(`${country}-`)).map((pair) => pair.scope);
  const children = await Promise.all(
    [...regions, ...asns].map((scope) => readStoredScopeState(redis, config, scope, target)),
  );
  const evaluated = children.filter((child) => child.version > 0);
  // Whether the country is down is its own (contained) outage machine's to say, not one downed child's.
  const derived = deriveCountryState(
    evaluated.map((child) => child.machine),
    outage.state === 'outage',
  );
  // No child is ever `partial` itself: for a partial country, the children that show interference.
  const shown = evaluated
    .filter((child) =>
      derived.state === 'partial'
        ? InterferenceStatus.safeParse(child.machine.state).success
        : child.machine.state === derived.state,
    )
    .map(scopeStateOf);
  const sinces = shown.map((child) => child.since).sort();
  // Regions and ASNs each partition the same agents, so adding both would count every agent twice.
  const agentsAt = (level: ScopeLevel) =>
    shown
      .filter((child) => scopeLevelOf(child.scope) === level)
      .reduce((sum, child) => sum + child.agents, 0);
  return {
    scope: country,
    target,
    state: derived.state,
    method: derived.method,
    confidence: shown.length === 0 ? 0 : Math.max(...shown.map((child) => child.confidence)),
    since: sinces[0] ?? EPOCH,
    agents: Math.max(agentsAt('region'), agentsAt('asn')),
    simulated: evaluated.some((child) => scopeStateOf(child).simulated),
    coverage: derived.coverage,
    ...(derived.targetOutage === undefined ? {} : { target_outage: derived.targetOutage }),
  };
}

/** Every scope of one level with its state for a target: what the map draws. */
export async function readScopeStates(
  redis: RedisClient,
  config: StoreConfig,
  request: { level: ScopeLevel; target: string },
): Promise<ScopeState[]> {
  if (request.level === 'country') {
    const countries = (await listScopes(redis, config)).filter((scope) => scopeLevelOf(scope) === 'country');
    return await Promise.all(
      countries.map((country) => readCountryState(redis, config, country, request.target)),
    );
  }
  const pairs = (await listPairs(redis, config, request.target))
    .filter((pair) => scopeLevelOf(pair.scope) === request.level)
    .sort((a, b) => a.scope.localeCompare(b.scope));
  return await Promise.all(pairs.map((pair) => readScopeState(redis, config, pair.scope, request.target)));
}

/** Narrows a map to one country (its regions or the ASNs seen in it) or one region (the ASNs seen in it). */
export interface MapScopeFilter {
  country: string;
  region?: string;
}

/**
 * The regions or ASNs of one country (or one region) with their states for a target, read from the
 * country's own sets: the cost follows the size of the country, not of the whole map.
 */
export async function readScopeStatesWithin(
  redis: RedisClient,
  config: StoreConfig,
  request: { level: 'region' | 'asn'; target: string; within: MapScopeFilter },
): Promise<ScopeState[]> {
  const { level, target, within } = request;
  const partition = partitionOf(within.country, config.partitions);
  const keys = storeKeys(partition);
  let candidates: ScopeKey[];
  if (level === 'region') {
    candidates =
      within.region === undefined
        ? await redis.smembers(keys.countryRegions(within.country))
        : [within.region];
  } else {
    candidates = await redis.smembers(
      within.region === undefined ? keys.countryAsns(within.country) : keys.regionAsns(within.region),
    );
  }
  // As on the whole map, a scope is listed once it has a machine for this target (its `pairs` member).
  const tracked = await Promise.all(
    candidates.map((scope) =>
      redis.sismember(storeKeys(partitionOf(scope, config.partitions)).pairs, pairMember(scope, target)),
    ),
  );
  const scopes = candidates.filter((_scope, index) => tracked[index] === 1);
  const states = await Promise.all(scopes.map((scope) => readScopeState(redis, config, scope, target)));
  return states.sort((a, b) => a.scope.localeCompare(b.scope));
}

const OPEN_STATES: ReadonlySet<string> = new Set(['blocked', 'throttled', 'stalled', 'outage']);

/** An interference or outage that is open now, with the measurements that opened it. */
export type OpenState = ScopeState & { witnesses: string[] };

/**
 * Every region and ASN whose state is an open interference or outage, optionally for one target,
 * newest first: what is happening now. Reads every (scope, target) machine once.
 */
export async function readOpenStates(
  redis: RedisClient,
  config: StoreConfig,
  request: { target?: string },
): Promise<OpenState[]> {
  const pairs = await listPairs(redis, config, request.target);
  const stored = await Promise.all(
    pairs.map((pair) => readStoredScopeState(redis, config, pair.scope, pair.target)),
  );
  return stored
    .filter((state) => state.version > 0 && OPEN_STATES.has(state.machine.state))
    .map((state) => ({ ...scopeStateOf(state), witnesses: state.machine.interference?.witnesses ?? [] }))
    .sort((a, b) => b.since.localeCompare(a.since) || a.scope.localeCompare(b.scope));
}
