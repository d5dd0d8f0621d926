import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
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
  it('starts with a relative data directory, named from a directory other than its own', async () => {
    // The README's default (`.reachmap-data`) is relative; redis-server chdirs to --dir before it opens
    // --logfile, so a relative log path once made it exit and start-up wait for a PING that never came.
    const cwd = process.cwd();
    const base = tempDir();
    process.chdir(base);
    try {
      const redis = await startEmbeddedRedis({ dataDir: 'state/redis', readyTimeoutMs: 10_000 });
      expect(redis.dataDir).toBe(join(base, 'state/redis'));
      expect(existsSync(join(base, 'state/redis/redis.log'))).toBe(true);
      await redis.stop();
    } finally {
      process.chdir(cwd);
    }
  });

  it('reports an early exit at once, with the exit code and what redis-server wrote, not as a timeout', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const started = Date.now();
    try {
      const failure = startEmbeddedRedis({ dataDir: tempDir(), port, readyTimeoutMs: 20_000 });
      await expect(failure).rejects.toThrow(
        /exited during start-up \(exit code 1\)[\s\S]*Address already in use/,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      holder.close();
    }
  });

  it('never takes another redis-server that holds its port for its own', async () => {
    // Another program's redis-server on the port ours is told to use: ours cannot bind it, but the
    // other answers PING, so only the pid tells them apart.
    const other = await startEmbeddedRedis({ dataDir: tempDir() });
    const exitListeners = process.listenerCount('exit');
    try {
      await expect(startEmbeddedRedis({ dataDir: tempDir(), port: other.port })).rejects.toThrow(
        new RegExp(
          `port ${other.port} is answered by another redis-server \\(pid ${other.pid}\\)|exited during start-up`,
        ),
      );
      // The failed start leaves no exit hook that would signal its dead pid when this process ends.
      expect(process.listenerCount('exit')).toBe(exitListeners);
    } finally {
      await other.stop();
    }
  });

  it("quotes redis-server's stderr when it cannot even open its log file", async () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'redis.log')); // a directory where the log file should go
    await expect(startEmbeddedRedis({ dataDir, readyTimeoutMs: 20_000 })).rejects.toThrow(
      /exit code 1[\s\S]*stderr:[\s\S]*Can't open the log file/,
    );
  });

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

  it('keeps a window of 256 members of 100 bytes compact (a listpack, not a skiplist)', async () => {
    const redis = await startEmbeddedRedis({ dataDir: tempDir() });
    const client = new Redis(redis.url);
    try {
      const members = Array.from({ length: 256 }, (_, index) => [index, String(index).padStart(100, 'm')]);
      await client.zadd('window', ...members.flat());
      // Redis 6.2 calls the compact encoding a ziplist, 7 a listpack.
      expect(await client.object('ENCODING', 'window')).toMatch(/^(listpack|ziplist)$/);
      await client.zadd('window', 999, 'one member too many');
      expect(await client.object('ENCODING', 'window')).toBe('skiplist');
    } finally {
      client.disconnect();
      await redis.stop();
    }
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
