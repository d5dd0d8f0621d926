import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const main = join(import.meta.dirname, '../main.ts');
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

describe('reachmap up', () => {
  it('starts on the embedded default and stops cleanly on Ctrl-C, leaving no process behind', async () => {
    const child = spawn(process.execPath, [main, 'up', '--no-demo'], {
      env: { ...process.env, REDIS_URL: '', REACHMAP_DATA_DIR: dataDir, COLLECTOR_PORT: '0', API_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const records: Record<string, unknown>[] = [];
    let buffered = '';
    const running = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const record = JSON.parse(line) as Record<string, unknown>;
          records.push(record);
          if (record.msg === 'reachmap is running; press Ctrl-C to stop') resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`reachmap up exited early with ${code}`)));
    });
    await running;
    const redisPid = records.find((r) => r.msg === 'started embedded redis-server')?.pid as number;
    expect(isAlive(redisPid)).toBe(true);

    const exitCode = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exitCode).toBe(0);
    expect(records.at(-1)?.msg).toBe('stopped cleanly');
    expect(isAlive(redisPid)).toBe(false);
  });

  it('stops with a precise message when a setting is invalid', async () => {
    const child = spawn(process.execPath, [main, 'up'], {
      env: { ...process.env, API_PORT: 'eighty', REACHMAP_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('API_PORT: expected a TCP port number (got "eighty")');
  });
});
