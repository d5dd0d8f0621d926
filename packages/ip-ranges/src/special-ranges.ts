import ipaddr from 'ipaddr.js';

/**
 * The one owner of which addresses are special (RFC 6890's special-purpose registries, as ipaddr.js
 * names them: `private`, `loopback`, `reserved`, `rfc6052`, …) and of the two policies built on them.
 * Pure: no I/O, so the classifier can use it.
 */

function parsed(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  // Dotted quads only: ipaddr.js would also read `127.1` or `0x7f000001` as IPv4, no answer's form.
  if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) return null;
  // process() turns ::ffff:a.b.c.d (or ::ffff:7f00:1) into a.b.c.d: it reaches, and answers as, IPv4.
  return ipaddr.process(address);
}

/** The address a socket really reaches (an IPv4-mapped IPv6 address as IPv4), or null for a non-address. */
export function reachedAddress(address: string): string | null {
  return parsed(address)?.toString() ?? null;
}

/** ipaddr.js's name for the range an address is in (`unicast` when none), or null for a non-address. */
export function specialRangeOf(address: string): string | null {
  return parsed(address)?.range() ?? null;
}

/** Where reachmap's censorship lab numbers its targets (RFC 2544 benchmarking, inside `reserved`). */
const LAB_RANGE = ipaddr.parseCIDR('198.18.0.0/15');

/**
 * Ranges a public name may legitimately resolve to although ipaddr.js calls them special: NAT64
 * (a DNS64 resolver synthesizes 64:ff9b::/96 answers on IPv6-only networks) and the public tunnel
 * and relay ranges (6to4, Teredo, AMT).
 */
const ANSWERABLE = new Set(['unicast', 'rfc6052', '6to4', 'teredo', 'amt']);

/**
 * An address no public service resolves to, so a resolver answering one for a public name is lying
 * (DNS poisoning "to a stub": 127.0.0.1, 0.0.0.0, a private blockpage host). Follows OONI netxlite's
 * bogon list (loopback, private, link-local, CGNAT, multicast, documentation and reserved ranges, …)
 * with one deliberate exception: 198.18.0.0/15, where reachmap's lab numbers its targets.
 */
export function isBogonAddress(address: string): boolean {
  const ip = parsed(address);
  if (ip === null || ANSWERABLE.has(ip.range())) return false;
  return !(ip.kind() === 'ipv4' && ip.match(LAB_RANGE));
}

/**
 * Not a global unicast address: loopback, private, link-local (cloud metadata at 169.254.169.254),
 * multicast, reserved and documentation ranges, the lab's 198.18.0.0/15, and NAT64 and the tunnel
 * ranges, which can reach any IPv4 address. Outbound requests an outsider can aim (webhooks) refuse these.
 */
export function isNonPublicAddress(address: string): boolean {
  const range = specialRangeOf(address);
  return range !== null && range !== 'unicast';
}
