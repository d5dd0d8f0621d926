/** Splits OONI's `ip:port` / `[ipv6]:port` address; null when it is not one. */
export function parseEndpoint(address: string): { ip: string; port: number } | null {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (match === null) return null;
  const port = Number(match[2]);
  return match[1] !== undefined && Number.isInteger(port) ? { ip: match[1], port } : null;
}

export function formatEndpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
