import type { ScopeKey, TargetOutage } from '@reachmap/schema';
import type { RollupConfig } from './config.ts';
import type { WindowAssessment } from './window-assessment.ts';

/** One region's window for the target, judged on its own. */
export interface RegionWindow {
  region: ScopeKey;
  assessment: WindowAssessment;
}

const countryOf = (region: ScopeKey) => region.slice(0, 2);

/**
 * Whether the target itself is down in this window: failing in at least `targetOutage.share` of the
 * regions with evidence, spread over at least `targetOutage.minCountries` countries. Censorship is
 * national or narrower and rarely covers almost every monitored network of several countries at once;
 * a server-side outage does exactly that. The cost is stated in docs/state-machine.md: where nearly
 * every monitored country blocks the same target, its new blocks wait until some region reaches it.
 */
export function assessTargetOutage(
  regions: readonly RegionWindow[],
  config: RollupConfig,
): TargetOutage | null {
  let evidenced = 0;
  let failing = 0;
  const countries = new Set<string>();
  for (const { region, assessment } of regions) {
    if (assessment.kind === 'insufficient') continue;
    evidenced += 1;
    if (assessment.kind !== 'interference') continue;
    failing += 1;
    countries.add(countryOf(region));
  }
  const { minCountries, share } = config.targetOutage;
  if (countries.size < minCountries || failing < share * evidenced) return null;
  return { regions_failing: failing, regions_evidenced: evidenced, countries_failing: countries.size };
}
