/**
 * IP addresses and CIDR prefixes as integers, for matching DNS answers against prefixes. Written here
 * rather than taken from node:net because the classifier is pure logic and imports no I/O module.
 */

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

export interface IpPrefix {
  family: 4 | 6;
  network: bigint;
  length: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseHextets(text: string): number[] | null {
  if (text === '') return [];
  const groups = text.split(':');
  const hextets: number[] = [];
  for (const [index, group] of groups.entries()) {
    if (index === groups.length - 1 && group.includes('.')) {
      // An embedded IPv4 address (::ffff:192.0.2.1) fills the last two hextets.
      const v4 = parseIpv4(group);
      if (v4 === null) return null;
      hextets.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else if (/^[0-9a-f]{1,4}$/i.test(group)) {
      hextets.push(Number.parseInt(group, 16));
    } else {
      return null;
    }
  }
  return hextets;
}

function parseIpv6(text: string): bigint | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = parseHextets(halves[0] ?? '');
  const tail = halves.length === 2 ? parseHextets(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const hextets = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return hextets.reduce((value, hextet) => (value << 16n) | BigInt(hextet), 0n);
}

/** Parses a textual IPv4 or IPv6 address; null when the text is not one (a CNAME, say). */
export function parseIp(text: string): IpAddress | null {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === null ? null : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === null ? null : { family: 4, value };
}

/** Parses `address/length`; null when malformed. Host bits are ignored, as routers do. */
export function parsePrefix(text: string): IpPrefix | null {
  const [addressText, lengthText, ...rest] = text.split('/');
  if (addressText === undefined || lengthText === undefined || rest.length > 0) return null;
  const address = parseIp(addressText);
  if (address === null || !/^\d{1,3}$/.test(lengthText)) return null;
  const length = Number(lengthText);
  if (length > BITS[address.family]) return null;
  return { family: address.family, network: address.value & mask(address.family, length), length };
}

function mask(family: 4 | 6, length: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << BigInt(length)) - 1n) << (bits - BigInt(length));
}

export function prefixContains(prefix: IpPrefix, address: IpAddress): boolean {
  return (
    prefix.family === address.family &&
    (address.value & mask(prefix.family, prefix.length)) === prefix.network
  );
}

const IPV4_MAPPED = { family: 6, network: 0xffff00000000n, length: 96 } as const satisfies IpPrefix;

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it carries; others unchanged. */
export function unmapIpv4(address: IpAddress): IpAddress {
  return prefixContains(IPV4_MAPPED, address) ? { family: 4, value: address.value & 0xffffffffn } : address;
}
