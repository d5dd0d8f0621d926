import { labEscapes, loadCatalogue } from '@reachmap/targets';
import { describe, expect, it } from 'vitest';
import {
  catalogueForRegion,
  loopbackPort,
  regionLoopbackAddress,
  worldLoopbackAddress,
} from './loopback-addressing.ts';

describe('user-space addressing', () => {
  it('maps lab addresses to loopback twins and shifts privileged ports', () => {
    expect(worldLoopbackAddress('198.18.2.3')).toBe('127.18.2.3');
    expect(regionLoopbackAddress('198.18.2.3', 4)).toBe('127.104.2.3');
    expect(loopbackPort(443)).toBe(20_443);
    expect(loopbackPort(5222)).toBe(5222);
  });

  it('moves every destination of the lab catalogue behind the region censor', async () => {
    const region = catalogueForRegion(await loadCatalogue({ kind: 'lab' }), 2);
    expect(labEscapes(region)).toEqual([]);
    expect(JSON.stringify(region)).not.toMatch(/198\.18\./);
    expect(region.resolvers.map((resolver) => resolver.address)).toEqual([
      'https://127.102.0.53:20443/dns-query',
      '127.102.0.54:20053',
    ]);
    const telegram = region.targets.find((target) => target.id === 'telegram');
    expect(telegram?.suite.tcp[0]).toEqual({ host: '127.102.2.3', ports: [20_080, 20_443] });
    expect(telegram?.suite.http[0]?.url).toBe('https://web.telegram.org.lab:20443/');
  });
});
