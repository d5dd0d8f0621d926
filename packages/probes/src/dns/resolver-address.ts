import { isIP } from 'node:net';

export interface ResolverEndpoint {
  ip: string;
  port: number;
}

export class InvalidResolverAddressError extends Error {
  override readonly name = 'InvalidResolverAddressError';
}

/** Parses `ip:port` or `[ipv6]:port`; the port defaults to 53. */
export function parseResolverAddress(address: string): ResolverEndpoint {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(address) ?? /^([^:]+)(?::(\d+))?$/.exec(address);
  const ip = match?.[1];
  const port = Number.parseInt(match?.[2] ?? '53', 10);
  if (ip === undefined || isIP(ip) === 0 || port < 1 || port > 65_535) {
    throw new InvalidResolverAddressError(`expected "ip:port" or "[ipv6]:port", got "${address}"`);
  }
  return { ip, port };
}
