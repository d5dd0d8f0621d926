import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Catalogue, type CatalogueEnvironment } from './catalogue-schema.ts';

/** Where the generated lab catalogue lives (the real one is `data/catalogue.real.ts`, for its comments). */
export const LAB_CATALOGUE_PATH = fileURLToPath(new URL('../data/catalogue.lab.json', import.meta.url));

/**
 * Reads and validates a catalogue shipped with this package; throws the ZodError naming a bad field.
 * Reading sends no traffic, measuring does: runtime code goes through `loadCatalogue`, and only
 * tooling and tests call this directly.
 */
export async function readShippedCatalogue(environment: CatalogueEnvironment): Promise<Catalogue> {
  if (environment === 'real') {
    const { realCatalogue } = await import('../data/catalogue.real.ts');
    return Catalogue.parse(realCatalogue);
  }
  return Catalogue.parse(JSON.parse(readFileSync(LAB_CATALOGUE_PATH, 'utf8')));
}
