import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVICE = new URL('./testing/signalled-service.ts', import.meta.url).pathname;

interface LogLine {
  msg: string;
  signal?: string;
}

/** Starts the service, sends `signals` once it is ready, and collects its log lines and exit code. */
async function runUntilSignalled(
  behaviour: 'closes' | 'fails',
  signals: NodeJS.Signals[],
): Promise<{ code: number | null; lines: LogLine[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reachmap-server-kit-'));
  const child = spawn(process.execPath, [SERVICE, dataDir, behaviour], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: LogLine[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const text of complete) {
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      if (line.msg === 'service ready') {
        for (const signal of signals) child.kill(signal);
      }
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  rmSync(dataDir, { recursive: true, force: true });
  return { code, lines };
}

describe('shutdownOnSignal', () => {
  it('closes the service, then the embedded Redis, and exits 0', async () => {
    const { code, lines } = await runUntilSignalled('closes', ['SIGTERM']);
    expect(code).toBe(0);
    expect(lines.map((line) => line.msg)).toEqual([
      'service ready',
      'shutting down',
      'service closed',
      'redis stopped',
    ]);
    expect(lines[1]?.signal).toBe('SIGTERM');
  }, 30_000);

  it('shuts down once when a second signal arrives during the shutdown', async () => {
    const { code, lines } = await runUntilSignalled('closes', ['SIGINT', 'SIGTERM']);
    expect(code).toBe(0);
    expect(lines.filter((line) => line.msg === 'shutting down')).toHaveLength(1);
    expect(lines.filter((line) => line.msg === 'service closed')).toHaveLength(1);
  }, 30_000);

  it('logs the failure and exits 1 when closing fails', async () => {
    const { code, lines } = await runUntilSignalled('fails', ['SIGTERM']);
    expect(code).toBe(1);
    expect(lines.map((line) => line.msg)).toEqual(['service ready', 'shutting down', 'shutdown failed']);
  }, 30_000);
});
