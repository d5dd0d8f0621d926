import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a webhook must never reach unless the operator allows them: where a request from the
 * API host could hit its own services, the cloud metadata endpoint (169.254.169.254) or the local
 * network. IANA special-purpose registries (RFC 6890) list them.
 */
const FORBIDDEN_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // RFC 6598 carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking (RFC 2544); reachmap's lab
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const FORBIDDEN_V6: ReadonlyArray<[string, number]> = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64: would reach any IPv4 address, including forbidden ones
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
];

function blockListOf(v4: ReadonlyArray<[string, number]>, v6: ReadonlyArray<[string, number]>): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of v4) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of v6) list.addSubnet(network, prefix, 'ipv6');
  return list;
}

const FORBIDDEN = blockListOf(FORBIDDEN_V4, FORBIDDEN_V6);

export class InvalidCidrError extends Error {
  override name = 'InvalidCidrError';
}

/** Parses `127.0.0.0/8, ::1/128` (WEBHOOK_ALLOWED_CIDRS) into the operator's allowlist. */
export function parseCidrList(text: string): Array<[string, number]> {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((cidr) => {
      const [network = '', prefixText = ''] = cidr.split('/');
      const family = isIP(network);
      const prefix = Number(prefixText);
      const maxPrefix = family === 6 ? 128 : 32;
      if (family === 0 || !/^\d+$/.test(prefixText) || prefix > maxPrefix) {
        throw new InvalidCidrError(`"${cidr}" is not a CIDR such as 127.0.0.0/8 or ::1/128`);
      }
      return [network, prefix];
    });
}

/** `::ffff:a.b.c.d` (and its hex form) reaches a.b.c.d; judge it as that IPv4 address. */
function unmapIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1] !== undefined) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] === undefined || hex[2] === undefined) return null;
  const high = Number.parseInt(hex[1], 16);
  const low = Number.parseInt(hex[2], 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

export class AddressPolicy {
  readonly #allowed: BlockList;

  constructor(allowedCidrs: ReadonlyArray<[string, number]> = []) {
    this.#allowed = blockListOf(
      allowedCidrs.filter(([network]) => isIP(network) === 4),
      allowedCidrs.filter(([network]) => isIP(network) === 6),
    );
  }

  /** Null when a webhook may connect to `address`, otherwise why not. */
  refusalFor(address: string): string | null {
    const mapped = unmapIpv4(address);
    const subject = mapped ?? address;
    const family = isIP(subject);
    if (family === 0) return `"${address}" is not an IP address`;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (this.#allowed.check(subject, type)) return null;
    if (FORBIDDEN.check(subject, type)) {
      return `${address} is a loopback, private, link-local, multicast or reserved address`;
    }
    return null;
  }
}
