import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import isoCountries from 'i18n-iso-countries';

// Natural Earth marks Kosovo without an ISO code; XK is the user-assigned code agents report (OONI too).
const UNCODED_NAMES: Record<string, string> = { Kosovo: 'XK' };

interface CountryGeometry {
  id?: string;
  properties?: { name?: string };
}

/**
 * world-atlas's 1:110m countries with ISO 3166-1 alpha-2 ids instead of numeric ones, so the browser
 * matches geometry to scope keys (`RU`) without shipping a code table. Geometries without a code keep
 * no id and are drawn as "no data".
 */
export async function countriesTopologyJson(): Promise<string> {
  const path = createRequire(import.meta.url).resolve('world-atlas/countries-110m.json');
  const topology = JSON.parse(await readFile(path, 'utf8'));
  const geometries: CountryGeometry[] = topology.objects.countries.geometries;
  for (const geometry of geometries) {
    const name = geometry.properties?.name ?? '';
    const alpha2 =
      geometry.id === undefined
        ? UNCODED_NAMES[name]
        : isoCountries.numericToAlpha2(geometry.id) || undefined;
    if (alpha2 === undefined) delete geometry.id;
    else geometry.id = alpha2;
  }
  return JSON.stringify(topology);
}
