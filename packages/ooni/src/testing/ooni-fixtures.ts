import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * OONI's real measurements (CC BY-NC-SA 4.0) live outside the repository, next to the checkout:
 * `<repo>/../shared/fixtures/ooni` and `ooni-more`, or under `$OONI_FIXTURES_DIR` (the folder holding
 * both). They are read in place, never copied in.
 */
const FIXTURES_ROOT = process.env.OONI_FIXTURES_DIR ?? resolve(here, '../../../../../shared/fixtures');
export const REAL_OONI_FIXTURES = resolve(FIXTURES_ROOT, 'ooni');
export const MORE_OONI_FIXTURES = resolve(FIXTURES_ROOT, 'ooni-more');
export const HAVE_REAL_OONI_FIXTURES = existsSync(REAL_OONI_FIXTURES) && existsSync(MORE_OONI_FIXTURES);

if (!HAVE_REAL_OONI_FIXTURES) {
  const message = `OONI fixtures not found at ${REAL_OONI_FIXTURES} (and ooni-more beside it)`;
  // In CI a missing fixture folder must fail the run, not quietly skip the real-data tests.
  if (process.env.CI === 'true') throw new Error(`${message}; set OONI_FIXTURES_DIR`);
  console.warn(`${message}: tests on real OONI data are skipped`);
}

/** Our own synthetic fixtures, for what the real ones do not cover. */
export const SYNTHETIC_FIXTURES = resolve(here, '../../fixtures');

export function realFixture(name: string): string {
  return resolve(REAL_OONI_FIXTURES, name);
}
