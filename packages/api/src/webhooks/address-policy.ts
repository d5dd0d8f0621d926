import { BlockList, isIP } from 'node:net';
import { isNonPublicAddress, reachedAddress } from '@reachmap/ip-ranges';

function blockListOf(v4: ReadonlyArray<[string, number]>, v6: ReadonlyArray<[string, number]>): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of v4) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of v6) list.addSubnet(network, prefix, 'ipv6');
  return list;
}

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
    // An IPv4-mapped address (`::ffff:a.b.c.d`, or its hex form) reaches a.b.c.d: judge it as that.
    const subject = reachedAddress(address);
    if (subject === null) return `"${address}" is not an IP address`;
    const type = isIP(subject) === 4 ? 'ipv4' : 'ipv6';
    if (this.#allowed.check(subject, type)) return null;
    // Where a request from the API host could hit its own services, the cloud metadata endpoint
    // (169.254.169.254) or the local network: one list, @reachmap/ip-ranges.
    if (isNonPublicAddress(subject)) {
      return `${address} is a loopback, private, link-local, multicast or reserved address`;
    }
    return null;
  }
}
