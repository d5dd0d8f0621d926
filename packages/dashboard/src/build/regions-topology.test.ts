import { gzipSync } from 'node:zlib';
import { geoArea } from 'd3-geo';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import { describe, expect, it } from 'vitest';
import { cachedRegionTopologies } from './regions-cache.ts';
import { groupByCountry } from './regions-topology.ts';

// The stated budget of docs/dashboard.md: what the largest country's file may cost on the wire.
const LARGEST_GZIP_BUDGET = 60 * 1024;

function square(west: number, south: number, size: number): Polygon {
  // Counter-clockwise, as RFC 7946 (and the source data) winds outer rings.
  return {
    type: 'Polygon',
    coordinates: [
      [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
      ],
    ],
  };
}

describe('region geometry built from Natural Earth admin-1', () => {
  it('keeps every country within the size budget and carries the regions agents report', async () => {
    const topologies = await cachedRegionTopologies();
    expect(topologies.size).toBeGreaterThan(200);
    const largest = Math.max(...[...topologies.values()].map((json) => gzipSync(json, { level: 9 }).length));
    expect(largest).toBeLessThanOrEqual(LARGEST_GZIP_BUDGET);

    const russia = JSON.parse(topologies.get('RU') ?? 'null');
    const regions = feature(russia, russia.objects.regions) as unknown as FeatureCollection<MultiPolygon>;
    const codes = regions.features.flatMap((region) => (typeof region.id === 'string' ? [region.id] : []));
    expect(codes).toContain('RU-MOW');
    expect(codes).toContain('RU-SPE');
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((code) => /^RU-[A-Z0-9]{1,3}$/.test(code))).toBe(true);
    // Natural Earth swaps the codes of the city and the oblast of Moscow; the build corrects them.
    const area = (code: string) =>
      geoArea(regions.features.find((region) => region.id === code) ?? square(0, 0, 0));
    expect(area('RU-MOW')).toBeLessThan(area('RU-MOS') / 10);
    // Wound for d3-geo: each region covers less than half the sphere (a wrong winding covers the rest).
    for (const region of regions.features) expect(geoArea(region)).toBeLessThan(0.1);
  });

  it('merges features sharing a code, rewinds rings for d3 and leaves disputed codes uncoded', () => {
    const grouped = groupByCountry({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { iso_a2: 'XA', iso_3166_2: 'XA-ONE', name: 'One' },
          geometry: square(0, 0, 1),
        },
        {
          type: 'Feature',
          properties: { iso_a2: 'XA', iso_3166_2: 'XA-ONE', name: 'One' },
          geometry: square(5, 0, 1),
        },
        {
          type: 'Feature',
          properties: { iso_a2: 'XA', iso_3166_2: 'XA-X01~', name: 'Disputed' },
          geometry: square(2, 0, 1),
        },
        {
          type: 'Feature',
          properties: { iso_a2: '-99', iso_3166_2: '-99-X1~', name: 'Nowhere' },
          geometry: square(9, 0, 1),
        },
      ],
    } as Parameters<typeof groupByCountry>[0]);
    expect([...grouped.keys()]).toEqual(['XA']);
    const regions = grouped.get('XA') ?? [];
    expect(regions.map((region) => region.id)).toEqual(['XA-ONE', undefined]);
    expect(regions[0]?.geometry.coordinates).toHaveLength(2);
    for (const region of regions) expect(geoArea(region)).toBeLessThan(0.01);
  });
});
