import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS, SERVER_PROCESS_ENV } from '@reachmap/server-kit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli, startStackProcess, stopStacksLeftRunning } from '../testing/stack-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'reachmap-up-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(stopStacksLeftRunning);

describe('reachmap up', () => {
  it('starts on the embedded default and stops cleanly on Ctrl-C, leaving no process behind', async () => {
    const stack = await startStackProcess(dataDir);
    const redisPid = stack.records.find((r) => r.msg === 'started embedded redis-server')?.redisPid as number;
    expect(isAlive(redisPid)).toBe(true);

    // The aggregator child serves /metrics as the aggregator role does, at the URL it reported ready with.
    const ready = await stack.waitForRecord((r) => r.msg === 'aggregator ready', 10_000);
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const scraped = await fetch(String(ready.url));
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(
      /^reachmap_aggregator_evaluation_lag_seconds\{role="aggregator"\} /m,
    );

    // Each server runs with the Node flags and environment its systemd unit gives it.
    const running = await stack.waitForRecord(
      (r) => r.msg === 'reachmap is running; press Ctrl-C to stop',
      10_000,
    );
    const components = running.components as { name: string; pid: number }[];
    expect(components.map((c) => c.name).sort()).toEqual(['aggregator', 'api', 'collector']);
    for (const { name, pid } of components) {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(commandLine.slice(1, 1 + SERVER_NODE_FLAGS.length), name).toEqual([...SERVER_NODE_FLAGS]);
      const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      for (const [key, value] of Object.entries(SERVER_PROCESS_ENV))
        expect(environment, name).toContain(`${key}=${value}`);
    }

    expect(await stack.stop()).toBe(0);
    expect(stack.records.at(-1)?.msg).toBe('stopped cleanly');
    expect(isAlive(redisPid)).toBe(false);
    // Not a terminal: every stdout line was JSON (the harness parses each), and the same lines, the
    // children's included, are in the log file in the data directory.
    const logged = readFileSync(join(dataDir, 'logs', 'reachmap.log'), 'utf8')
      .trim()
      .split('\n');
    const messages = logged.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('collector ready');
    expect(messages).toContain('aggregator stopped');
    expect(messages.at(-1)).toBe('stopped cleanly');
  }, 60_000);

  it('stops in order on a hang-up (the terminal closed) even with nobody left to read its output', async () => {
    const hungUpDir = mkdtempSync(join(tmpdir(), 'reachmap-up-hup-'));
    try {
      const stack = await startStackProcess(hungUpDir);
      await stack.waitForRecord((r) => r.msg === 'aggregator ready', 10_000);
      // As a closed terminal does: the reader goes away, then SIGHUP. Writes to stdout now fail.
      stack.child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => {
        stack.child.once('exit', (exitCode) => resolve(exitCode));
        stack.child.kill('SIGHUP');
      });
      expect(code, stack.child.stderr.read()?.toString()).toBe(0);
      const logged = readFileSync(join(hungUpDir, 'logs', 'reachmap.log'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string; reason?: string });
      expect(logged.find((r) => r.msg === 'shutting down')?.reason).toBe('SIGHUP');
      expect(logged.map((r) => r.msg)).toEqual(
        expect.arrayContaining(['api stopped', 'collector stopped', 'aggregator stopped']),
      );
      expect(logged.at(-1)?.msg).toBe('stopped cleanly');
      // The evidence store was closed, not left mid-write: SQLite removes its WAL on the last close.
      expect(existsSync(join(hungUpDir, 'evidence.sqlite'))).toBe(true);
      expect(existsSync(join(hungUpDir, 'evidence.sqlite-wal'))).toBe(false);
    } finally {
      rmSync(hungUpDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('stops with a precise message when a setting is invalid', async () => {
    const result = await runCli(['up'], { API_PORT: 'eighty', REACHMAP_DATA_DIR: dataDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('API_PORT: expected a TCP port number (got "eighty")');
  }, 30_000);

  it('names REACHMAP_DATA_DIR when the data directory cannot be made, before starting anything', async () => {
    const file = join(dataDir, 'a-file');
    writeFileSync(file, '');
    const result = await runCli(['up'], { REACHMAP_DATA_DIR: join(file, 'data') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^reachmap: REACHMAP_DATA_DIR: cannot use .*a-file\/data: ENOTDIR/m);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 30_000);
});
