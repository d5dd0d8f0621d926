import { describe, expect, it } from 'vitest';
import { countriesTopologyJson } from './countries-topology.ts';

describe('countriesTopologyJson', () => {
  it('keys each country by its ISO 3166-1 alpha-2 code, Kosovo as XK', async () => {
    const topology = JSON.parse(await countriesTopologyJson());
    const geometries: { id?: string; properties: { name: string } }[] = topology.objects.countries.geometries;
    const byName = new Map(geometries.map((geometry) => [geometry.properties.name, geometry.id]));
    expect(byName.get('Russia')).toBe('RU');
    expect(byName.get('Iran')).toBe('IR');
    expect(byName.get('Kosovo')).toBe('XK');
    // Uncoded territories (N. Cyprus, Somaliland) carry no id rather than a wrong one.
    expect(byName.get('Somaliland')).toBeUndefined();
    const ids = geometries.flatMap((geometry) => (geometry.id === undefined ? [] : [geometry.id]));
    expect(ids.every((id) => /^[A-Z]{2}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
