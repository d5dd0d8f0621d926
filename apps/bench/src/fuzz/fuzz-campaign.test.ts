import { describe, expect, it } from 'vitest';
import { runFuzzCampaign } from './fuzz-campaign.ts';

// The hostile corpus (docs/security.md): the same cases every run, plus new ones each run whose seed
// is printed so a failure can be replayed with `pnpm fuzz --seed <seed>`.
const RANDOM_SEED = Math.floor(Math.random() * 2 ** 31);

describe('hostile-request campaign', () => {
  it.each([
    ['a fixed seed', 20261202, 1500],
    ['a random seed', RANDOM_SEED, 500],
  ])(
    'with %s (%i): no 5xx, no crash, every accepted measurement counted once',
    async (_name, seed, count) => {
      console.info(`fuzz seed ${seed} (replay: pnpm fuzz --count ${count} --seed ${seed})`);
      const report = await runFuzzCampaign({ count, seed });
      expect(report.serverErrors).toEqual([]);
      expect(report.crashes).toEqual([]);
      expect(report.counted).toBe(report.accepted);
      // The generator must reach the deep paths, not only the signature check.
      expect(report.accepted).toBeGreaterThan(0);
      expect(report.statuses['422']).toBeGreaterThan(0);
      expect(report.requests).toBe(count);
      // Before them, the fixed sweep of inherited names (constructor, __proto__…) in every field.
      expect(report.sweepRequests).toBeGreaterThan(0);
    },
    600_000,
  );
});
