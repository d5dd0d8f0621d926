import type { Catalogue } from '@reachmap/targets';

/**
 * User-space lab addressing. Linux treats all of 127.0.0.0/8 as local, so every lab address gets a
 * loopback twin without root: the world's 198.18.a.b is served on 127.18.a.b, and region r's censor
 * listens on 127.(100 + r).a.b. Ports below 1024 need root, so they move up by 20000 (443 → 20443).
 */
const LAB_IP = /^198\.18\.(\d{1,3})\.(\d{1,3})$/;
export const PRIVILEGED_PORT_SHIFT = 20_000;

export class NotALabAddressError extends Error {
  override readonly name = 'NotALabAddressError';
}

function octets(labIp: string): [string, string] {
  const match = LAB_IP.exec(labIp);
  if (match === null) throw new NotALabAddressError(`${labIp} is not in 198.18.0.0/16`);
  return [match[1] ?? '0', match[2] ?? '0'];
}

export function worldLoopbackAddress(labIp: string): string {
  const [c, d] = octets(labIp);
  return `127.18.${c}.${d}`;
}

/** Where a world service for lab address `labIp:port` listens (or is reached by the censors). */
export type WorldPlacement = (labIp: string, port: number) => { host: string; port: number };

/** A user-space world on 127.<secondOctet>.a.b (ports shifted), for worlds that must not share addresses. */
export function loopbackWorldPlacement(secondOctet: number): WorldPlacement {
  return (labIp, port) => {
    const [c, d] = octets(labIp);
    return { host: `127.${secondOctet}.${c}.${d}`, port: loopbackPort(port) };
  };
}

/** The lab runner's world in user space: 127.18.a.b (`worldLoopbackAddress`). */
export const worldLoopbackPlacement: WorldPlacement = loopbackWorldPlacement(18);

/**
 * The demo network's world: 127.19.a.b, so `reachmap up`'s demo and a `pnpm lab run` in user space
 * can share a machine.
 */
export const demoWorldPlacement: WorldPlacement = loopbackWorldPlacement(19);

export function regionLoopbackAddress(labIp: string, region: number): string {
  const [c, d] = octets(labIp);
  return `127.${100 + region}.${c}.${d}`;
}

/** The lab address a region's loopback address stands for. */
export function labAddressOfRegionLoopback(address: string): string {
  const [, , c, d] = address.split('.');
  return `198.18.${c}.${d}`;
}

/** Agent `agent` of region `region` binds its sockets here, so `agents` rules can tell agents apart. */
export function agentSourceAddress(region: number, agent: number): string {
  return `127.${100 + region}.250.${agent + 1}`;
}

export function loopbackPort(port: number): number {
  return port < 1024 ? port + PRIVILEGED_PORT_SHIFT : port;
}

function rewriteHost(host: string, region: number): string {
  return LAB_IP.test(host) ? regionLoopbackAddress(host, region) : host;
}

function rewriteUrl(raw: string, region: number): string {
  const url = new URL(raw);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  url.hostname = rewriteHost(url.hostname, region);
  url.port = String(loopbackPort(port));
  return url.toString();
}

function rewriteHostPort(value: string, region: number): string {
  const [host = '', port = '53'] = value.split(':');
  return `${rewriteHost(host, region)}:${loopbackPort(Number(port))}`;
}

function rewritePrefix(cidr: string, region: number): string {
  const [network = '', bits = '32'] = cidr.split('/');
  return LAB_IP.test(network) && Number(bits) >= 16
    ? `${regionLoopbackAddress(network, region)}/${bits}`
    : cidr;
}

/**
 * The lab catalogue as region `region`'s agents see it in user space: every address and port moved
 * to the region censor's loopback twin, so all of the agents' traffic passes that censor. Hostnames
 * keep their `.lab` names; the zone answers with the region's addresses.
 */
export function catalogueForRegion(catalogue: Catalogue, region: number): Catalogue {
  return {
    ...catalogue,
    resolvers: catalogue.resolvers.map((resolver) => ({
      ...resolver,
      address:
        resolver.kind === 'doh'
          ? rewriteUrl(resolver.address, region)
          : rewriteHostPort(resolver.address, region),
    })),
    reflectors: catalogue.reflectors.map((reflector) => ({
      ...reflector,
      host: rewriteHost(reflector.host, region),
      port: loopbackPort(reflector.port),
    })),
    dns_zone: catalogue.dns_zone.map((record) => ({
      ...record,
      addresses: record.addresses.map((address) => rewriteHost(address, region)),
    })),
    targets: catalogue.targets.map((target) => ({
      ...target,
      known_prefixes: target.known_prefixes.map((cidr) => rewritePrefix(cidr, region)),
      suite: {
        dns: target.suite.dns,
        tcp: target.suite.tcp.map((endpoint) => ({
          host: rewriteHost(endpoint.host, region),
          ports: endpoint.ports.map(loopbackPort),
        })),
        tls: target.suite.tls.map((endpoint) => ({
          ...endpoint,
          addresses: endpoint.addresses.map((address) => rewriteHost(address, region)),
          port: loopbackPort(endpoint.port),
        })),
        http: target.suite.http.map((check) => ({ ...check, url: rewriteUrl(check.url, region) })),
        quic: target.suite.quic.map((endpoint) => ({
          ...endpoint,
          host: rewriteHost(endpoint.host, region),
          port: loopbackPort(endpoint.port),
        })),
        throughput: target.suite.throughput.map((spec) =>
          spec.source.kind === 'url'
            ? { ...spec, source: { kind: 'url', url: rewriteUrl(spec.source.url, region) } }
            : spec,
        ),
      },
    })),
  };
}

/**
 * Where agent `agent` of region `region` really connects for a lab destination: the region censor's
 * twin of it (a `ProbeNetwork.dialRewrite` for `@reachmap/probes`). Observations keep the 198.18 address.
 */
export function regionDial(region: number, ip: string, port: number): { ip: string; port: number } {
  return LAB_IP.test(ip) ? { ip: regionLoopbackAddress(ip, region), port: loopbackPort(port) } : { ip, port };
}
