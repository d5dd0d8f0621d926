import { BlockList, isIP } from 'node:net';
import type { Catalogue } from './catalogue-schema.ts';

/** A place in a catalogue that names a network destination. */
export interface CatalogueAddress {
  /** RFC 6901 pointer to where it appears. */
  path: string;
  kind: 'ip' | 'cidr' | 'hostname';
  value: string;
}

/** RFC 2544 benchmarking space: never routed on the internet, so lab traffic cannot leak to real hosts. */
export const LAB_PREFIX = { network: '198.18.0.0', prefix: 15 } as const;
/** Lab hostnames live under this suffix, which public DNS does not delegate. */
export const LAB_DOMAIN_SUFFIX = '.lab';

const labSpace = new BlockList();
labSpace.addSubnet(LAB_PREFIX.network, LAB_PREFIX.prefix, 'ipv4');
labSpace.addSubnet('127.0.0.0', 8, 'ipv4');
labSpace.addAddress('::1', 'ipv6');

/** Every destination a catalogue names: resolvers, reflectors, zone records and each target's suite. */
export function catalogueAddresses(catalogue: Catalogue): CatalogueAddress[] {
  const found: CatalogueAddress[] = [];
  const host = (path: string, value: string) =>
    found.push({ path, kind: isIP(value) === 0 ? 'hostname' : 'ip', value });
  const urlHost = (path: string, url: string) => host(path, new URL(url).hostname.replace(/^\[|\]$/g, ''));

  catalogue.resolvers.forEach((resolver, i) => {
    const path = `/resolvers/${i}/address`;
    if (resolver.kind === 'doh') urlHost(path, resolver.address);
    else host(path, resolver.address.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''));
  });
  catalogue.reflectors.forEach((reflector, i) => {
    host(`/reflectors/${i}/host`, reflector.host);
  });
  catalogue.dns_zone.forEach((record, i) => {
    host(`/dns_zone/${i}/hostname`, record.hostname);
    record.addresses.forEach((address, j) => {
      host(`/dns_zone/${i}/addresses/${j}`, address);
    });
  });
  catalogue.targets.forEach((target, t) => {
    const at = `/targets/${t}`;
    const { suite } = target;
    suite.dns?.hostnames.forEach((hostname, i) => {
      host(`${at}/suite/dns/hostnames/${i}`, hostname);
    });
    suite.tcp.forEach((endpoint, i) => {
      host(`${at}/suite/tcp/${i}/host`, endpoint.host);
    });
    suite.tls.forEach((endpoint, i) => {
      host(`${at}/suite/tls/${i}/sni`, endpoint.sni);
      if (endpoint.control_sni !== null) host(`${at}/suite/tls/${i}/control_sni`, endpoint.control_sni);
      endpoint.addresses.forEach((address, j) => {
        host(`${at}/suite/tls/${i}/addresses/${j}`, address);
      });
    });
    suite.http.forEach((check, i) => {
      urlHost(`${at}/suite/http/${i}/url`, check.url);
    });
    suite.quic.forEach((endpoint, i) => {
      host(`${at}/suite/quic/${i}/host`, endpoint.host);
      host(`${at}/suite/quic/${i}/sni`, endpoint.sni);
    });
    suite.throughput.forEach((spec, i) => {
      const source = spec.source;
      if (source.kind === 'url') urlHost(`${at}/suite/throughput/${i}/source/url`, source.url);
      else {
        host(`${at}/suite/throughput/${i}/source/sni`, source.sni);
        host(`${at}/suite/throughput/${i}/source/control_sni`, source.control_sni);
      }
    });
    target.known_prefixes.forEach((cidr, i) => {
      found.push({ path: `${at}/known_prefixes/${i}`, kind: 'cidr', value: cidr });
    });
  });
  return found;
}

/** Whether an address stays inside the lab: 198.18.0.0/15 or loopback, or a `.lab` hostname. */
export function isLabAddress(address: CatalogueAddress): boolean {
  switch (address.kind) {
    case 'ip':
      return isIpInLab(address.value);
    case 'hostname':
      return address.value.endsWith(LAB_DOMAIN_SUFFIX);
    case 'cidr': {
      const [network = '', bits = ''] = address.value.split('/');
      const prefix = Number(bits);
      return isIP(network) === 4 ? prefix >= LAB_PREFIX.prefix && isIpInLab(network) : false;
    }
  }
}

function isIpInLab(ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  return labSpace.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** The destinations of a catalogue that would leave the lab; empty for a well-formed lab catalogue. */
export function labEscapes(catalogue: Catalogue): CatalogueAddress[] {
  return catalogueAddresses(catalogue).filter((address) => !isLabAddress(address));
}
