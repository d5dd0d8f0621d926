/**
 * Where Redis is: one server (`redis://host:port/db`, `rediss://…`) or a Redis Cluster seed list
 * (`redis+cluster://host1:port,host2:port` or several comma-separated `redis://` URLs).
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; password: string | undefined; tls: boolean };

export class InvalidRedisUrlError extends Error {
  override name = 'InvalidRedisUrlError';
}

function parseHostPort(part: string, original: string): { host: string; port: number } {
  const url = new URL(part.includes('://') ? part : `redis://${part}`);
  const port = url.port === '' ? 6379 : Number(url.port);
  if (url.hostname === '' || !Number.isInteger(port)) {
    throw new InvalidRedisUrlError(`REDIS_URL: cannot read a host and port from "${part}" in "${original}"`);
  }
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

export function parseRedisTarget(value: string): RedisTarget {
  const trimmed = value.trim();
  const cluster = trimmed.startsWith('redis+cluster://') || trimmed.startsWith('rediss+cluster://');
  const parts = trimmed
    .replace(/^rediss?\+cluster:\/\//, '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) throw new InvalidRedisUrlError('REDIS_URL is empty');
  if (!cluster && parts.length === 1) {
    const url = new URL(trimmed);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new InvalidRedisUrlError(
        `REDIS_URL must start with redis:// or rediss://, got "${url.protocol}//"`,
      );
    }
    return { kind: 'single', url: trimmed };
  }
  const first = new URL(parts[0]?.includes('://') ? (parts[0] ?? '') : `redis://${parts[0]}`);
  return {
    kind: 'cluster',
    nodes: parts.map((part) => parseHostPort(part, trimmed)),
    password: first.password === '' ? undefined : decodeURIComponent(first.password),
    tls: trimmed.startsWith('rediss'),
  };
}

/** The URL with any password replaced, for logs. */
export function redactRedisUrl(value: string): string {
  return value.replace(/\/\/([^:@/]*):([^@/]*)@/g, '//$1:***@');
}
