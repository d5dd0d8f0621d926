// `node apps/bench/src/ingest/store-write-cost.ts [ROOT] [jobs per call] [jobs]`: the Redis cost of the
// store's write path alone, per measurement. The ingest bench's rounds (200 agents over 25 networks,
// batches of 10 rounds) are counted through `countMeasurements` of the checkout at ROOT (default this
// one; another checkout gives the before figure), one job per call or several merged. Redis CPU
// (INFO used_cpu_*) is CPU time, so it holds up on a loaded machine better than wall-clock figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = process.argv[2] || fileURLToPath(new URL('../../../..', import.meta.url));
const MERGE = Number(process.argv[3] ?? '1');
const JOBS = Number(process.argv[4] ?? '400');
const queue = await import(`${ROOT}/packages/queue/src/index.ts`);
const store = await import(`${ROOT}/packages/store/src/index.ts`);
const classifier = await import(`${ROOT}/packages/classifier/src/index.ts`);
const rounds = await import(`${ROOT}/apps/bench/src/ingest/round-measurements.ts`);
const networks = await import(`${ROOT}/apps/bench/src/bench-networks.ts`);
const schema = await import(`${ROOT}/packages/schema/src/index.ts`);

const dir = mkdtempSync(join(tmpdir(), 'store-cost-'));
const server = await queue.startEmbeddedRedis({ dataDir: dir });
const redis = queue.createRedisConnection({ kind: 'single', url: server.url }, 'worker');
const config = store.StoreConfig.parse({});
const nets = networks.benchNetworks(5, 5);
const agents = Array.from({ length: 200 }, (_, index) => ({
  id: schema.newPrefixedId('agt'),
  network: networks.networkOfAgent(nets, index),
}));
const jobs = Array.from({ length: JOBS }, (_, index) => {
  const agent = agents[index % agents.length];
  return Array.from({ length: 10 }, (_, round) =>
    rounds.roundMeasurements(agent, Date.now() - 60_000 - round * 5_000),
  )
    .flat()
    .map((measurement) => ({
      measurement,
      verdict: classifier.classifyMeasurement({ measurement, controls: [] }),
      controls: 'healthy',
      received_at: new Date().toISOString(),
    }));
});
const info = async () => {
  const text =
    (await redis.info('cpu')) + (await redis.info('commandstats')) + (await redis.info('persistence'));
  const num = (re: RegExp) => Number(text.match(re)?.[1] ?? 0);
  let calls = 0;
  let luaUsec = 0;
  const byName: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    byName[m[1] as string] = Number(m[2]);
    if (m[1] !== 'info') calls += Number(m[2]);
    if (m[1] === 'evalsha' || m[1] === 'eval') luaUsec += Number(m[3]);
  }
  return {
    cpu: num(/used_cpu_sys:([\d.]+)/) + num(/used_cpu_user:([\d.]+)/),
    calls,
    luaUsec,
    byName,
    aof: num(/aof_current_size:(\d+)/),
  };
};
const before = await info();
const mem0 = Number((await redis.info('memory')).match(/used_memory:(\d+)/)?.[1]);
let measurements = 0;
for (let start = 0; start < jobs.length; start += MERGE) {
  const merged = jobs.slice(start, start + MERGE).flat();
  measurements += merged.length;
  await store.countMeasurements(redis, merged, config, Date.now());
}
const after = await info();
const mem1 = Number((await redis.info('memory')).match(/used_memory:(\d+)/)?.[1]);
const per = (value: number) => (value / measurements).toFixed(2);
// Where the figures go: commands by name, and memory by key kind (`{rm:p0}:roll:…` → `roll`).
const commandsByName: Record<string, string> = {};
for (const [name, calls] of Object.entries(after.byName).sort(([, a], [, b]) => b - a)) {
  const delta = calls - (before.byName[name] ?? 0);
  if (delta > 0) commandsByName[name] = per(delta);
}
const bytesByKind = new Map<string, number>();
let cursor = '0';
do {
  const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
  cursor = next;
  for (const key of keys) {
    const kind = key.replace(/^\{[^}]*\}:/, '').split(':')[0] ?? key;
    bytesByKind.set(kind, (bytesByKind.get(kind) ?? 0) + Number((await redis.memory('USAGE', key)) ?? 0));
  }
} while (cursor !== '0');
const memoryUsageByKeyKind: Record<string, string> = {};
for (const [kind, bytes] of [...bytesByKind].sort(([, a], [, b]) => b - a))
  memoryUsageByKeyKind[kind] = per(bytes);
console.log(
  JSON.stringify({
    root: ROOT,
    merge: MERGE,
    measurements,
    redisCpuMicrosPerMeasurement: per((after.cpu - before.cpu) * 1e6),
    luaMicrosPerMeasurement: per(after.luaUsec - before.luaUsec),
    commandsPerMeasurement: per(after.calls - before.calls),
    aofBytesPerMeasurement: per(after.aof - before.aof),
    memoryBytesPerMeasurement: per(mem1 - mem0),
    commandsByName,
    memoryUsageByKeyKind,
  }),
);
redis.disconnect();
await server.stop();
rmSync(dir, { recursive: true, force: true });
