import { isBogonAddress } from '@reachmap/ip-ranges';
import type { IpAddress } from './ip-address.ts';

/**
 * Addresses a public name never legitimately resolves to, so a resolver answering with one is lying:
 * censors point blocked names at 127.0.0.1, 0.0.0.0 or a private blockpage host. The list has one
 * owner, @reachmap/ip-ranges (shared with the probes and the webhook guard): OONI netxlite's bogons
 * except 198.18.0.0/15, where reachmap's lab gives real targets their addresses.
 */
export function isBogon(address: IpAddress): boolean {
  return isBogonAddress(addressText(address));
}

/** Dotted quad, or eight uncompressed hextets: a form every IP parser reads. */
function addressText(address: IpAddress): string {
  const width = address.family === 4 ? 4 : 8;
  const bits = address.family === 4 ? 8n : 16n;
  const parts: string[] = [];
  for (let index = width - 1; index >= 0; index -= 1) {
    const part = (address.value >> (BigInt(index) * bits)) & ((1n << bits) - 1n);
    parts.push(address.family === 4 ? part.toString(10) : part.toString(16));
  }
  return parts.join(address.family === 4 ? '.' : ':');
}
