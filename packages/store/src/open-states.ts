import type { RedisClient } from '@reachmap/queue';
import { InterferenceStatus } from '@reachmap/rollup';
import { parsePairMember, storeKeys } from './keys.ts';
import { readStoredScopeState } from './state-store.ts';
import type { StoreConfig } from './store-config.ts';

/** The states an operator counts as open: an interference status, or an outage. */
export const OPEN_STATE_KINDS = [...InterferenceStatus.options, 'outage'] as const;
export type OpenStateKind = (typeof OPEN_STATE_KINDS)[number];

function isOpenKind(state: string): state is OpenStateKind {
  return (OPEN_STATE_KINDS as readonly string[]).includes(state);
}

/**
 * Region and ASN machines (per target) currently in an open state, by kind. Reads every stored pair,
 * like a map request over all targets; countries are derived from these, so they are not counted again.
 */
export async function countOpenStates(
  redis: RedisClient,
  config: StoreConfig,
): Promise<Record<OpenStateKind, number>> {
  const counts = Object.fromEntries(OPEN_STATE_KINDS.map((kind) => [kind, 0])) as Record<
    OpenStateKind,
    number
  >;
  for (let partition = 0; partition < config.partitions; partition += 1) {
    const pairs = (await redis.smembers(storeKeys(partition).pairs)).map(parsePairMember);
    const states = await Promise.all(
      pairs.map((pair) => readStoredScopeState(redis, config, pair.scope, pair.target)),
    );
    for (const { machine } of states) if (isOpenKind(machine.state)) counts[machine.state] += 1;
  }
  return counts;
}
