import { type IpAddress, type IpPrefix, parsePrefix, prefixContains, unmapIpv4 } from './ip-address.ts';

/**
 * Addresses a public name never legitimately resolves to, so a resolver answering with one is lying:
 * censors point blocked names at 127.0.0.1, 0.0.0.0 or a private blockpage host (DOMAIN.md: Facebook
 * hosts → 127.0.0.1 in RU, 2026). The list follows RFC 6890 and OONI's netxlite bogon list, except
 * 198.18.0.0/15 (benchmarking) and the documentation ranges: reachmap's lab gives real targets
 * addresses there, and a censor pointing names at them has not been reported.
 */
const BOGON_PREFIXES: readonly IpPrefix[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '64:ff9b:1::/48',
  '100::/64',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
].map((text) => {
  const prefix = parsePrefix(text);
  if (prefix === null) throw new Error(`bogon prefix ${text} does not parse`);
  return prefix;
});

export function isBogon(address: IpAddress): boolean {
  const plain = unmapIpv4(address);
  return BOGON_PREFIXES.some((prefix) => prefixContains(prefix, plain));
}
