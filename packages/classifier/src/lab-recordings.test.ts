import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Measurement, Verdict } from '@reachmap/schema';
import { describe, expect, it } from 'vitest';
import { classifyMeasurement } from './classify.ts';

/** Measurements real agents produced in the kernel lab, stored with their round controls. */
interface Recording {
  source: string;
  cases: { measurement: Measurement; controls: Measurement[]; verdict_3_1_0: Verdict }[];
}

function recording(name: string): Recording {
  const path = new URL(`../fixtures/${name}.json.gz`, import.meta.url);
  return JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as Recording;
}

describe('verdicts on measurements recorded in the kernel lab', () => {
  const policed = recording('policed-lossy-line');

  it.each(policed.cases.map((entry) => [entry.measurement.id, entry] as const))(
    'a 128 kbit/s policer on a line losing 3 %% is a rate cap (%s)',
    (_id, { measurement, controls, verdict_3_1_0 }) => {
      // Whole seconds swing with the loss (1-s CV up to 0.55), which classifier 3.1.0 took for congestion.
      expect(verdict_3_1_0.status).toBe('ok');
      const verdict = classifyMeasurement({ measurement, controls });
      expect([verdict.status, verdict.layer, verdict.method]).toEqual([
        'throttled',
        'throughput',
        'rate-cap',
      ]);
      expect(verdict.evidence[0]).toMatch(/connections at one rate below/);
    },
  );
});
