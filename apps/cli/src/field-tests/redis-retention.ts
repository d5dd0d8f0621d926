import { execFileSync } from 'node:child_process';

/**
 * Redis memory split by what retention explains. Keys with a TTL (per-measurement records, seen
 * and signature markers, rollup buckets) grow by design until their retention ends them, so a soak
 * shorter than the retention cannot tell them from a leak by used_memory alone. What is *not*
 * explained by them — used_memory minus the MEMORY USAGE of every expiring key — must stay flat.
 */
export interface RedisRetention {
  usedMiB: number;
  expiringKeys: number;
  expiringMiB: number;
  persistentKeys: number;
  /** used_memory − expiringMiB: persistent keys, server overhead, and anything that leaks. */
  unexplainedMiB: number;
}

const MiB = 1024 * 1024;
const cli = (port: number, args: string[], input?: string): string =>
  execFileSync('redis-cli', ['-p', String(port), ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 512 * MiB,
  });

/** Quoted for redis-cli's line reader, which splits on spaces and reads "…" with escapes. */
const quoted = (key: string) => `"${key.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

export function redisRetention(port: number): RedisRetention {
  const keys = cli(port, ['--scan'])
    .split('\n')
    .filter((key) => key !== '');
  const commands = keys.map((key) => `PTTL ${quoted(key)}\nMEMORY USAGE ${quoted(key)}\n`).join('');
  const replies = keys.length === 0 ? [] : cli(port, [], commands).split('\n');
  let expiringKeys = 0;
  let expiringBytes = 0;
  let persistentKeys = 0;
  for (let i = 0; i < keys.length; i++) {
    const ttl = Number(replies[2 * i]);
    const bytes = Number(replies[2 * i + 1]) || 0; // empty: the key expired between SCAN and the reply
    if (ttl > 0) {
      expiringKeys++;
      expiringBytes += bytes;
    } else if (ttl === -1) persistentKeys++;
  }
  const used = Number(/used_memory:(\d+)/.exec(cli(port, ['info', 'memory']))?.[1]);
  return {
    usedMiB: used / MiB,
    expiringKeys,
    expiringMiB: expiringBytes / MiB,
    persistentKeys,
    unexplainedMiB: (used - expiringBytes) / MiB,
  };
}
