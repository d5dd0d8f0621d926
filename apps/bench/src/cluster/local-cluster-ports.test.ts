import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedRedis, startEmbeddedRedis } from '@reachmap/queue';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findClusterPort, startClusterNode } from '../../../../infra/redis/src/local-cluster.ts';

let other: EmbeddedRedis;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reachmap-cluster-ports-'));
  other = await startEmbeddedRedis({ dataDir: join(dir, 'other') });
});
afterAll(async () => {
  await other?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function pidOn(port: number): Promise<number> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true });
  try {
    await client.connect();
    return Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
  } finally {
    client.disconnect();
  }
}

describe('a local cluster node', () => {
  it('moves to another port when the one it probed free is taken by another redis-server first', async () => {
    // The race of probe-then-bind, made certain: the first port handed out is already another
    // program's redis-server, which answers PING there while our node fails to bind.
    const picked: number[] = [];
    const node = await startClusterNode(dir, new Set(), async (taken) => {
      const port = picked.length === 0 ? other.port : await findClusterPort(taken);
      picked.push(port);
      return port;
    });
    try {
      expect(picked[0]).toBe(other.port);
      expect(node.port).not.toBe(other.port);
      expect(await pidOn(node.port)).toBe(node.child.pid);
      expect(await pidOn(other.port)).toBe(other.pid); // the other server is left alone
    } finally {
      node.child.kill('SIGKILL');
    }
  });
});
