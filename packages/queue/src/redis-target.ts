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

/** `new URL`, with what it cannot read reported as the variable's problem instead of a TypeError. */
function readUrl(text: string, original: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new InvalidRedisUrlError(
      `REDIS_URL: "${redactRedisUrl(original)}" is not a URL (expected redis://host:port, rediss://… or redis+cluster://host1:port,host2:port)`,
    );
  }
}

function parseHostPort(part: string, original: string): { host: string; port: number } {
  const url = readUrl(part.includes('://') ? part : `redis://${part}`, original);
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
    const url = readUrl(trimmed, trimmed);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new InvalidRedisUrlError(
        `REDIS_URL must start with redis:// or rediss://, got "${url.protocol}//"`,
      );
    }
    return { kind: 'single', url: trimmed };
  }
  const first = readUrl(parts[0]?.includes('://') ? (parts[0] ?? '') : `redis://${parts[0]}`, trimmed);
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
