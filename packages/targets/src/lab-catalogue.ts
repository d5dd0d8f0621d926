import { isIP } from 'node:net';
import { LAB_DOMAIN_SUFFIX } from './catalogue-addresses.ts';
import type { Catalogue, Suite, Target, ZoneRecord } from './catalogue-schema.ts';

/**
 * Lab layout inside 198.18.0.0/15 (RFC 2544 benchmarking space):
 * - 198.18.0.10 + i: reflector i;
 * - 198.18.0.53 + i: control resolver i (UDP/TCP on :53, DoH on https://<ip>/dns-query);
 * - target number t (position in the real catalogue) owns the /24 numbered t + 1, counting from
 *   198.18.0.0/24; its hostnames and literal IPs get .1, .2, ... in order of first appearance.
 * Hostnames keep their real name plus `.lab` (e1.whatsapp.net → e1.whatsapp.net.lab): no collisions,
 * obvious to read, and lab censors can match the same SNI substrings real ones do.
 */
const REFLECTOR_BASE = 10;
const RESOLVER_BASE = 53;
const HOSTS_PER_TARGET = 254;
/**
 * Lab transfers are shorter than real ones so a round fits the lab's 15-20 s interval even when a
 * target is policed (5 connections × 6 s). 6 s still leaves a stalled flow its 5 s of silence after
 * the 16 KiB cap and a policed one 5 steady seconds; 256 KiB is what the stall rule asks of a control.
 */
const LAB_TRANSFER_BYTES = 256 * 1024;
const LAB_TRANSFER_SECONDS = 6;

export class LabAddressSpaceExhaustedError extends Error {
  override readonly name = 'LabAddressSpaceExhaustedError';
}

export function labHostname(hostname: string): string {
  return `${hostname}${LAB_DOMAIN_SUFFIX}`;
}

function labInfrastructureIp(offset: number): string {
  return `198.18.0.${offset}`;
}

function labTargetPrefix(targetIndex: number): string {
  const block = targetIndex + 1;
  if (block > 511) throw new LabAddressSpaceExhaustedError('more targets than /24 blocks in 198.18.0.0/15');
  return `198.${18 + Math.floor(block / 256)}.${block % 256}`;
}

/** Hands out addresses within one target's /24 and records the zone the lab resolver serves. */
class TargetAddressPlan {
  readonly #prefix: string;
  readonly #ips = new Map<string, string>();
  readonly #zone: Map<string, string>;

  constructor(prefix: string, zone: Map<string, string>) {
    this.#prefix = prefix;
    this.#zone = zone;
  }

  /** Lab stand-in for a host the agent connects to: literal IPs map to IPs, names to `.lab` names. */
  host(realHost: string): string {
    if (isIP(realHost) !== 0) return this.#allocate(realHost);
    const name = labHostname(realHost);
    if (!this.#zone.has(name)) this.#zone.set(name, this.#allocate(realHost));
    return name;
  }

  url(realUrl: string): string {
    const url = new URL(realUrl);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    url.hostname = this.host(host);
    return url.toString();
  }

  #allocate(key: string): string {
    const existing = this.#ips.get(key);
    if (existing !== undefined) return existing;
    if (this.#ips.size >= HOSTS_PER_TARGET) {
      throw new LabAddressSpaceExhaustedError(`target block ${this.#prefix}.0/24 has no free address`);
    }
    const ip = `${this.#prefix}.${this.#ips.size + 1}`;
    this.#ips.set(key, ip);
    return ip;
  }
}

function labSuite(suite: Suite, plan: TargetAddressPlan): Suite {
  return {
    dns: suite.dns && {
      hostnames: suite.dns.hostnames.map((hostname) => plan.host(hostname)),
      resolvers: suite.dns.resolvers,
    },
    tcp: suite.tcp.map((endpoint) => ({ host: plan.host(endpoint.host), ports: endpoint.ports })),
    tls: suite.tls.map((endpoint) => ({
      sni: labHostname(endpoint.sni),
      addresses: endpoint.addresses.map((address) => plan.host(address)),
      port: endpoint.port,
      control_sni: endpoint.control_sni && labHostname(endpoint.control_sni),
    })),
    http: suite.http.map((check) => ({ ...check, url: plan.url(check.url) })),
    quic: suite.quic.map((endpoint) => ({
      host: plan.host(endpoint.host),
      sni: labHostname(endpoint.sni),
      port: endpoint.port,
    })),
    throughput: suite.throughput.map((spec) => ({
      ...spec,
      bytes: Math.min(spec.bytes, LAB_TRANSFER_BYTES),
      seconds: Math.min(spec.seconds, LAB_TRANSFER_SECONDS),
      source:
        spec.source.kind === 'url'
          ? { kind: 'url', url: plan.url(spec.source.url) }
          : {
              ...spec.source,
              sni: labHostname(spec.source.sni),
              control_sni: labHostname(spec.source.control_sni),
            },
    })),
  };
}

/**
 * The lab twin of a real catalogue: same ids, suites, judges and version, every destination moved into
 * the lab, transfers shortened. Deterministic, so data/catalogue.lab.json can be checked for staleness.
 */
export function labCatalogueFrom(real: Catalogue): Catalogue {
  const zone = new Map<string, string>();
  const targets: Target[] = real.targets.map((target, index) => {
    const prefix = labTargetPrefix(index);
    const plan = new TargetAddressPlan(prefix, zone);
    return {
      ...target,
      suite: labSuite(target.suite, plan),
      known_prefixes: target.known_prefixes.length > 0 ? [`${prefix}.0/24`] : [],
    };
  });
  const dnsZone: ZoneRecord[] = [...zone].map(([hostname, address]) => ({ hostname, addresses: [address] }));
  return {
    ...real,
    environment: 'lab',
    resolvers: real.resolvers.map((resolver, i) => {
      const ip = labInfrastructureIp(RESOLVER_BASE + i);
      return { ...resolver, address: resolver.kind === 'doh' ? `https://${ip}/dns-query` : `${ip}:53` };
    }),
    reflectors: real.reflectors.map((reflector, i) => ({
      ...reflector,
      host: labInfrastructureIp(REFLECTOR_BASE + i),
    })),
    dns_zone: dnsZone,
    targets,
  };
}
