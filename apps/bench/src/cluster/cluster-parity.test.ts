import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedRedis, parseRedisTarget, startEmbeddedRedis } from '@reachmap/queue';
import { partitionOf } from '@reachmap/store';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCluster, startLocalCluster } from '../../../../infra/redis/src/local-cluster.ts';
import { runScripted, scriptedInput } from './scripted-run.ts';

const CLUSTER_PARTITIONS = 3;

async function keysOn(port: number): Promise<number> {
  const node = new Redis(port, '127.0.0.1');
  try {
    return await node.dbsize();
  } finally {
    node.disconnect();
  }
}
let cluster: LocalCluster;
let single: EmbeddedRedis;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reachmap-parity-'));
  [cluster, single] = await Promise.all([
    startLocalCluster(),
    startEmbeddedRedis({ dataDir: join(dir, 'redis') }),
  ]);
});
afterAll(async () => {
  await Promise.all([cluster?.stop(), single?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis Cluster', () => {
  it('reads the cluster seed list of REDIS_URL as a cluster target', () => {
    expect(parseRedisTarget(cluster.redisUrl)).toEqual({
      kind: 'cluster',
      nodes: cluster.nodes,
      password: undefined,
      tls: false,
    });
  });

  it('gives exactly the rollups, states and events of a single node for the same scripted input', async () => {
    const input = scriptedInput();
    // The scripted scopes must really spread over several partitions, or the test proves little.
    const partitions = new Set(
      ['RU', 'IR', 'TR', 'AS64500', 'AS64510'].map((scope) => partitionOf(scope, CLUSTER_PARTITIONS)),
    );
    expect(partitions.size).toBeGreaterThan(1);

    const onSingle = await runScripted(single.url, { partitions: 1, aggregators: 2, input });
    const onCluster = await runScripted(cluster.redisUrl, {
      partitions: CLUSTER_PARTITIONS,
      aggregators: 2,
      input,
    });

    // The single-node run itself must have done the whole path: counted, opened and closed blocks.
    const measurements = input.windows.flat().reduce((sum, job) => sum + job.measurements.length, 0);
    const countryRuns = Object.entries(onSingle.rollups)
      .filter(([key]) => /^(RU|IR|TR)\|/.test(key))
      .reduce((sum, [, rollup]) => sum + rollup.runs, 0);
    expect(countryRuns).toBe(measurements);
    const types = onSingle.events.map((event) => (event as { type: string }).type);
    expect(types).toContain('block.started');
    expect(types).toContain('block.ended');

    // …and the cluster run must really have spread the store over the masters.
    const holding = await Promise.all(cluster.nodes.map(async (node) => await keysOn(node.port)));
    expect(holding.filter((keys) => keys > 0).length).toBeGreaterThan(1);

    expect(onCluster.rollups).toEqual(onSingle.rollups);
    expect(onCluster.states).toEqual(onSingle.states);
    expect(onCluster.events).toEqual(onSingle.events);
  });
});
