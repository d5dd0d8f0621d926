import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Addresses no public service resolves to: RFC 6890 special-purpose ranges plus multicast and the
 * reserved 240/4, the same list OONI's netxlite uses for `dns_bogon_error` (netxlite/bogon.go).
 * A resolver answering one of these for a public name is lying — DNS poisoning "to a stub", e.g.
 * Russian resolvers answering 127.0.0.1 for Facebook hosts (DOMAIN.md).
 *
 * Deliberate exception: 198.18.0.0/15 (RFC 2544 benchmarking) is NOT a bogon here, because reachmap's
 * censorship lab numbers its targets from it; flagging it would make every lab answer look poisoned.
 */
const BOGON_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link local
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.168.0.0', 16], // private
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes 255.255.255.255
];

const BOGON_V6: ReadonlyArray<readonly [string, number]> = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link local
  ['ff00::', 8], // multicast
];

const bogons = new BlockList();
for (const [network, prefix] of BOGON_V4) bogons.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of BOGON_V6) bogons.addSubnet(network, prefix, 'ipv6');

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** True for an address in a bogon range; false for public addresses and for non-addresses. */
export function isBogonAddress(address: string): boolean {
  if (isIPv4(address)) return bogons.check(address, 'ipv4');
  if (!isIPv6(address)) return false;
  const mapped = IPV4_MAPPED.exec(address)?.[1];
  return mapped === undefined ? bogons.check(address, 'ipv6') : isBogonAddress(mapped);
}
