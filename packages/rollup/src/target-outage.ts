import type { ScopeKey, TargetOutage, VerdictStatus } from '@reachmap/schema';
import type { RollupConfig } from './config.ts';
import { InterferenceStatus } from './window-assessment.ts';
import { VALID_STATUSES, type WindowRun } from './window-run.ts';

/** One region's window for the target: its runs, whatever their number, and the window's before. */
export interface RegionWindow {
  region: ScopeKey;
  runs: readonly WindowRun[];
  /**
   * The runs of the window before. A region silent now that testified then is active, its rounds of
   * this window not in yet (`targetOutagePending`).
   */
  previous?: readonly WindowRun[];
}

/** What a region's window says about the target itself, not about censorship there. */
export type RegionTestimony = 'failing' | 'reaching' | 'silent';

// Any interference status fails the target: a server slow for everyone is not a throttle either.
const FAILING: ReadonlySet<VerdictStatus> = new Set(InterferenceStatus.options);

/**
 * A region as a witness of whether the target is up at all, judged more loosely than a verdict:
 *
 * - It needs only `targetOutage.minRuns` valid runs, not a verdict's 4 from 2 agents. In fuzz world 7
 *   (2026-12-05) WhatsApp was dropped in three countries and Germany's 2 agents, their rounds slowed
 *   by the timeouts, made 3 runs in the first window, all failing: on the verdict's floor Germany said
 *   nothing, two countries were left, and Brazil opened a block for a server that was down.
 * - It is `failing` when at least `targetOutage.failingShare` of its valid runs fail, or when most of
 *   its agents' latest runs do. An outage starts and ends at any moment of a window, so a region heard
 *   mostly before the onset (or mostly after the recovery) sees only part of it: in fuzz world 60 Max
 *   went down as Russia's 6 agents had just run, 6 ok runs then 6 failing (50 %), while Germany and
 *   Brazil, heard later, failed outright and opened blocks. 40 % is our choice, below a verdict's
 *   60 % so that part of a window counts, and meant to sit above a lossy working line's failures,
 *   and one region wrongly failing cannot make an outage alone (80 % of regions, 3 countries).
 */
export function regionTestimony(runs: readonly WindowRun[], config: RollupConfig): RegionTestimony {
  const valid = runs.filter((run) => VALID_STATUSES.has(run.verdict.status));
  if (valid.length < config.targetOutage.minRuns) return 'silent';
  const failing = valid.filter((run) => FAILING.has(run.verdict.status)).length;
  if (failing >= config.targetOutage.failingShare * valid.length) return 'failing';
  // Measurement ids are UUIDv7, ordered by start time: an agent's largest is its latest run.
  const latest = new Map<string, WindowRun>();
  for (const run of valid) {
    const seen = latest.get(run.agent_id);
    if (seen === undefined || seen.verdict.measurement_id < run.verdict.measurement_id)
      latest.set(run.agent_id, run);
  }
  const latestFailing = [...latest.values()].filter((run) => FAILING.has(run.verdict.status)).length;
  return latestFailing >= config.quorum.share * latest.size ? 'failing' : 'reaching';
}

const countryOf = (region: ScopeKey) => region.slice(0, 2);

/**
 * Whether the target itself is down in this window: failing in at least `targetOutage.share` of the
 * regions that testify (`regionTestimony`), spread over at least `targetOutage.minCountries`
 * countries. Censorship is national or narrower and rarely covers almost every monitored network of
 * several countries at once; a server-side outage does exactly that. The cost is stated in
 * docs/state-machine.md: where nearly every monitored country blocks the same target, its new blocks
 * wait until some region reaches it.
 */
export function assessTargetOutage(
  regions: readonly RegionWindow[],
  config: RollupConfig,
): TargetOutage | null {
  return tally(regions, config, false);
}

/**
 * Whether the regions not heard yet in this window could still make it the target's outage: counted
 * as failing, active regions silent so far (they testified in the window before) would meet the rule.
 * Rounds slowed by an outage's timeouts report after the window's grace, and a region judged first
 * hears only the others that are in: in fuzz world 56 (2026-12-05) Russia's own late runs re-judged
 * its window before Germany's and Brazil's arrived and it opened a block; in world 108 Germany was
 * judged before Russia's rounds of the window were in. The evaluator holds a new block on such a
 * window until its watermark (docs/state-machine.md, "Target outages").
 */
export function targetOutagePending(regions: readonly RegionWindow[], config: RollupConfig): boolean {
  return tally(regions, config, true) !== null;
}

function tally(
  regions: readonly RegionWindow[],
  config: RollupConfig,
  countPending: boolean,
): TargetOutage | null {
  let evidenced = 0;
  let failing = 0;
  const countries = new Set<string>();
  for (const { region, runs, previous } of regions) {
    let testimony = regionTestimony(runs, config);
    if (testimony === 'silent' && countPending && previous !== undefined) {
      if (regionTestimony(previous, config) !== 'silent') testimony = 'failing';
    }
    if (testimony === 'silent') continue;
    evidenced += 1;
    if (testimony !== 'failing') continue;
    failing += 1;
    countries.add(countryOf(region));
  }
  const { minCountries, share } = config.targetOutage;
  if (countries.size < minCountries || failing < share * evidenced) return null;
  return { regions_failing: failing, regions_evidenced: evidenced, countries_failing: countries.size };
}
