import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * OONI's real measurements (CC BY-NC-SA 4.0) live outside the repository, next to the checkout:
 * `<repo>/../shared/fixtures/ooni`. They are read in place, never copied in.
 */
export const REAL_OONI_FIXTURES = resolve(here, '../../../../../shared/fixtures/ooni');
export const HAVE_REAL_OONI_FIXTURES = existsSync(REAL_OONI_FIXTURES);

if (!HAVE_REAL_OONI_FIXTURES) {
  console.warn(`OONI fixtures not found at ${REAL_OONI_FIXTURES}: tests on real OONI data are skipped`);
}

/** Our own synthetic fixtures, for what the real ones do not cover. */
export const SYNTHETIC_FIXTURES = resolve(here, '../../fixtures');

export function realFixture(name: string): string {
  return resolve(REAL_OONI_FIXTURES, name);
}
