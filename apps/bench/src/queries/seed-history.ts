import { classifyMeasurement } from '@reachmap/classifier';
import type { RedisClient } from '@reachmap/queue';
import { type Measurement, newPrefixedId } from '@reachmap/schema';
import { type ClassifiedMeasurement, countMeasurement, type StoreConfig } from '@reachmap/store';
import { benchNetworks, networkOfAgent } from '../bench-networks.ts';
import { forEachConcurrently } from '../bounded-concurrency.ts';
import { roundMeasurements } from '../ingest/round-measurements.ts';
import type { BenchProfile } from '../profile.ts';

const DAY_MS = 86_400_000;
const AGENTS_PER_NETWORK = 3;
/** The aggregator's default evaluation window (REACHMAP_WINDOW). */
const WINDOW_MS = 15 * 60_000;
const RECENT_WINDOWS = 4;

/** Controls judge the round's services, as the aggregator does when the controls came with them. */
function classifyRound(round: Measurement[]): ClassifiedMeasurement[] {
  const controls = round.filter((measurement) => measurement.target.kind === 'control');
  const controlVerdicts = controls.map((measurement) => classifyMeasurement({ measurement, controls: [] }));
  const health = controlVerdicts.some((verdict) => verdict.status === 'ok') ? 'healthy' : 'failed';
  return round.map((measurement) => {
    const isControl = measurement.target.kind === 'control';
    return {
      measurement,
      verdict: classifyMeasurement({ measurement, controls: isControl ? [] : controls }),
      controls: isControl ? 'none' : health,
      received_at: measurement.end_time,
    };
  });
}

/**
 * Writes `days` of history through the store's own write path (`countMeasurement`, the apply-once
 * Lua script) without the HTTP and queue hops: `measurementsPerPairPerDay` rounds per network and
 * day, spread over the day, by three agents per network, and every agent in each of the last four
 * windows before `now`, which the evaluator still catches up on, so states and events form.
 */
export async function seedHistory(
  redis: RedisClient,
  store: StoreConfig,
  profile: BenchProfile['history'],
  now: number,
): Promise<{ measurements: number }> {
  const networks = benchNetworks(profile.countries, profile.regionsPerCountry);
  // Every other country blocks: the reset services failing in every network of every country at once
  // would be those services down, not blocked (docs/state-machine.md, "Target outages").
  const countries = [...new Set(networks.map((network) => network.country))];
  const agents = Array.from({ length: networks.length * AGENTS_PER_NETWORK }, (_, index) => {
    const network = networkOfAgent(networks, index);
    return { id: newPrefixedId('agt'), network, blocks: countries.indexOf(network.country) % 2 === 0 };
  });
  const rounds: { agent: (typeof agents)[number]; startMs: number }[] = [];
  for (let day = profile.days - 1; day >= 1; day -= 1) {
    for (let slot = 0; slot < profile.measurementsPerPairPerDay; slot += 1) {
      // One agent of each network per slot, taking turns.
      agents.forEach((agent, index) => {
        if (index % AGENTS_PER_NETWORK !== slot % AGENTS_PER_NETWORK) return;
        rounds.push({
          agent,
          startMs: now - day * DAY_MS + (slot * DAY_MS) / profile.measurementsPerPairPerDay,
        });
      });
    }
  }
  // The last hour: every agent in each of the last four 15-minute windows, so the evaluator has
  // fresh windows with enough agents and runs to decide (and open blocks for the reset services in the
  // countries that block them).
  for (let window = RECENT_WINDOWS; window >= 1; window -= 1) {
    for (let slot = 0; slot < profile.measurementsPerPairPerDay; slot += 1) {
      for (const agent of agents) rounds.push({ agent, startMs: now - window * WINDOW_MS + slot * 1_000 });
    }
  }
  let measurements = 0;
  await forEachConcurrently(rounds, 32, async ({ agent, startMs }) => {
    const round = roundMeasurements(agent, startMs, agent.blocks ? 0.25 : 0).slice(0, profile.targets);
    for (const classified of classifyRound(round)) {
      await countMeasurement(redis, classified, store, now);
      measurements += 1;
    }
  });
  return { measurements };
}
