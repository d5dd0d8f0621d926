import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRedisConnection,
  type EmbeddedRedis,
  type RedisClient,
  type RedisTarget,
  startEmbeddedRedis,
  waitUntilReady,
} from '@reachmap/queue';

/** The private redis-server of one bench run, in a temp dir that `stop()` removes. */
export interface BenchRedis {
  dir: string;
  embedded: EmbeddedRedis;
  target: RedisTarget;
  client: RedisClient;
  stop(): Promise<void>;
}

export async function startBenchRedis(): Promise<BenchRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'reachmap-bench-'));
  const embedded = await startEmbeddedRedis({ dataDir: join(dir, 'redis') });
  const target: RedisTarget = { kind: 'single', url: embedded.url };
  const client = createRedisConnection(target, 'worker', 'reachmap-bench');
  await waitUntilReady(client);
  return {
    dir,
    embedded,
    target,
    client,
    async stop() {
      client.disconnect();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `INFO` section fields as numbers (non-numeric fields are left out). */
export async function redisInfoNumbers(client: RedisClient, section: string): Promise<Map<string, number>> {
  const text = await client.info(section);
  const fields = new Map<string, number>();
  for (const line of text.split('\r\n')) {
    const [name, raw] = line.split(':');
    if (name === undefined || raw === undefined) continue;
    const value = Number(raw);
    if (Number.isFinite(value)) fields.set(name, value);
  }
  return fields;
}

export interface CommandTotals {
  /** Every command Redis executed, including those run inside Lua scripts. */
  commands: number;
  /** Microseconds Redis spent in EVAL/EVALSHA (the scripts' own commands included). */
  scriptMicros: number;
  /** Calls per command name, to say where the commands go. */
  callsByCommand: Map<string, number>;
  /** Bytes appended to the AOF so far: what Redis wrote for durability. */
  aofBytes: number;
}

/** Running totals from INFO commandstats and persistence; subtract two readings to get a phase's share. */
export async function commandTotals(client: RedisClient): Promise<CommandTotals> {
  const text = await client.info('commandstats');
  const totals: CommandTotals = {
    commands: 0,
    scriptMicros: 0,
    callsByCommand: new Map(),
    aofBytes: (await redisInfoNumbers(client, 'persistence')).get('aof_current_size') ?? 0,
  };
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    const [, name = '', calls, micros] = match;
    totals.commands += Number(calls);
    totals.callsByCommand.set(name, Number(calls));
    if (name === 'evalsha' || name === 'eval') totals.scriptMicros += Number(micros);
  }
  return totals;
}

/** The commands executed between two readings, most frequent first: `name calls, …`. */
export function commandMix(before: CommandTotals, after: CommandTotals, top: number): string {
  return [...after.callsByCommand]
    .map(([name, calls]) => [name, calls - (before.callsByCommand.get(name) ?? 0)] as const)
    .filter(([, calls]) => calls > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, calls]) => `${name} ${calls}`)
    .join(', ');
}
