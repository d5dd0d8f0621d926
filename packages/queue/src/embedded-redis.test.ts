import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  findRedisServer,
  findRunningEmbeddedRedis,
  RedisServerNotFoundError,
  startEmbeddedRedis,
} from './embedded-redis.ts';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reachmap-redis-test-'));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describe('embedded redis-server', () => {
  it('starts on loopback, serves commands with the safe policy, and stops leaving no process', async () => {
    const redis = await startEmbeddedRedis({ dataDir: tempDir() });
    const client = new Redis(redis.url);
    await client.set('greeting', 'hello');
    expect(await client.get('greeting')).toBe('hello');
    expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
    client.disconnect();
    await redis.stop();
    expect(await waitFor(() => !isAlive(redis.pid), 5000)).toBe(true);
  });

  it('keeps accepted data across a restart in the same data directory (AOF)', async () => {
    const dataDir = tempDir();
    const first = await startEmbeddedRedis({ dataDir });
    const writer = new Redis(first.url);
    await writer.set('measurement:accepted', '1');
    writer.disconnect();
    await first.stop();

    const second = await startEmbeddedRedis({ dataDir });
    const reader = new Redis(second.url);
    expect(await reader.get('measurement:accepted')).toBe('1');
    reader.disconnect();
    await second.stop();
  });

  it('leaves no redis-server behind when its parent is killed with SIGKILL', async () => {
    const fixture = join(import.meta.dirname, 'fixtures/start-embedded-redis.ts');
    const parent = spawn(process.execPath, [fixture, tempDir()], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ pid: number; port: number }>((resolve, reject) => {
      parent.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString())));
      parent.once('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
    });
    expect(isAlive(started.pid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitFor(() => !isAlive(started.pid), 10_000)).toBe(true);
  });

  it('explains how to install redis-server when it is missing', () => {
    expect(() => findRedisServer('/nonexistent-dir')).toThrow(RedisServerNotFoundError);
    expect(() => findRedisServer('/nonexistent-dir')).toThrow(/apt-get install redis-server/);
  });
});

describe('sharing the embedded server', () => {
  it('lets a second process find the running server instead of starting another on the same files', async () => {
    const dataDir = tempDir();
    const owner = await startEmbeddedRedis({ dataDir });
    const found = await findRunningEmbeddedRedis(dataDir);
    expect(found?.port).toBe(owner.port);
    await expect(startEmbeddedRedis({ dataDir })).rejects.toThrow(/already runs the embedded redis-server/);
    await found?.stop();
    expect(isAlive(owner.pid)).toBe(true);
    await owner.stop();
    expect(await findRunningEmbeddedRedis(dataDir)).toBeUndefined();
  });
});
