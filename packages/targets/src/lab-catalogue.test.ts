import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { catalogueAddresses, isLabAddress } from './catalogue-addresses.ts';
import { readShippedCatalogue } from './catalogue-files.ts';
import { labCatalogueFrom } from './lab-catalogue.ts';

const real = await readShippedCatalogue('real');
const lab = await readShippedCatalogue('lab');

/** Independent of the BlockList in catalogue-addresses: plain octet arithmetic. */
function inLabOrLoopback(ip: string): boolean {
  if (ip === '::1') return true;
  if (isIP(ip) !== 4) return false;
  const [a, b] = ip.split('.').map(Number);
  return a === 127 || (a === 198 && (b === 18 || b === 19));
}

describe('lab catalogue', () => {
  it('puts every address inside 198.18.0.0/15 or loopback, and every name under .lab', () => {
    const addresses = catalogueAddresses(lab);
    // Enough destinations found that the check below means something.
    expect(addresses.filter((address) => address.kind === 'ip').length).toBeGreaterThan(50);
    for (const address of addresses) {
      if (address.kind === 'ip') expect(inLabOrLoopback(address.value), address.path).toBe(true);
      if (address.kind === 'cidr')
        expect(inLabOrLoopback(address.value.split('/')[0] ?? ''), address.path).toBe(true);
      if (address.kind === 'hostname') expect(address.value, address.path).toMatch(/\.lab$/);
    }
  });

  it('has a zone record for every name an agent resolves, pointing into the lab', () => {
    const zone = new Map(lab.dns_zone.map((record) => [record.hostname, record.addresses]));
    const resolved = lab.targets.flatMap((target) => [
      ...(target.suite.dns?.hostnames ?? []),
      ...target.suite.tcp.map((endpoint) => endpoint.host),
      ...target.suite.http.map((check) => new URL(check.url).hostname),
    ]);
    for (const hostname of resolved.filter((host) => isIP(host) === 0)) {
      expect(zone.get(hostname), hostname).toBeDefined();
      for (const ip of zone.get(hostname) ?? []) expect(inLabOrLoopback(ip)).toBe(true);
    }
  });

  it('is the generated twin of the real catalogue (run gen:lab after editing the real one)', () => {
    expect(lab).toEqual(labCatalogueFrom(real));
    expect(lab.targets.map((target) => target.id)).toEqual(real.targets.map((target) => target.id));
  });

  it('maps Telegram data-centre IPs to distinct lab addresses in its own block', () => {
    const telegram = lab.targets.find((target) => target.id === 'telegram');
    const hosts = telegram?.suite.tcp.map((endpoint) => endpoint.host) ?? [];
    expect(hosts).toHaveLength(6);
    expect(new Set(hosts).size).toBe(6);
    for (const host of hosts) expect(host.startsWith('198.18.2.')).toBe(true);
  });
});

describe('isLabAddress', () => {
  it.each([
    ['ip', '198.18.0.1', true],
    ['ip', '198.19.255.254', true],
    ['ip', '127.0.0.1', true],
    ['ip', '::1', true],
    ['ip', '198.20.0.1', false],
    ['ip', '149.154.175.50', false],
    ['ip', '2001:db8::1', false],
    ['hostname', 'e1.whatsapp.net.lab', true],
    ['hostname', 'e1.whatsapp.net', false],
    ['hostname', 'lab.whatsapp.net', false],
    ['cidr', '198.18.4.0/24', true],
    ['cidr', '198.18.0.0/14', false],
    ['cidr', '149.154.160.0/20', false],
  ] as const)('%s %s → %s', (kind, value, expected) => {
    expect(isLabAddress({ path: '', kind, value })).toBe(expected);
  });
});
