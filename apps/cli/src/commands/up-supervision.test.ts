import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type StackProcess, startStackProcess, stopStacksLeftRunning } from '../testing/stack-process.ts';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reachmap-up-supervision-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return condition();
}

interface Component {
  name: string;
  pid: number;
  url?: string;
}

function componentsOf(stack: StackProcess): Component[] {
  const running = stack.records.find((r) => r.msg === 'reachmap is running; press Ctrl-C to stop');
  return running?.components as Component[];
}

async function serves(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(3_000) })).status < 500;
  } catch {
    return false;
  }
}

afterEach(stopStacksLeftRunning);

describe('reachmap up supervision', () => {
  it('leaves no child and no redis-server behind when the supervisor is killed with SIGKILL', async () => {
    const stack = await startStackProcess(dataDir());
    const redisPid = stack.records.find((r) => r.msg === 'started embedded redis-server')?.redisPid as number;
    const pids = [...componentsOf(stack).map((c) => c.pid), redisPid];
    expect(pids).toHaveLength(4);
    expect(pids.every(alive)).toBe(true);
    stack.child.kill('SIGKILL');
    expect(await until(() => !pids.some(alive), 15_000)).toBe(true);
  }, 60_000);

  it('restarts each child killed with SIGKILL within seconds while the others keep serving', async () => {
    // The demo on loopback addresses of its own (127.26, slots 110-114): a developer's `reachmap up`
    // demo and the other tests' worlds may be up meanwhile.
    const stack = await startStackProcess(dataDir(), [], {
      REACHMAP_DEMO_WORLD_OCTET: '26',
      REACHMAP_DEMO_FIRST_SLOT: '110',
    });
    const components = componentsOf(stack);
    const collector = `${components.find((c) => c.name === 'collector')?.url}/healthz`;
    const api = `${components.find((c) => c.name === 'api')?.url}/v1/map`;
    const current = new Map(components.map((c) => [c.name, c.pid]));
    expect([...current.keys()]).toEqual(['aggregator', 'collector', 'api', 'demo']);
    for (const name of current.keys()) {
      const since = stack.records.length;
      const killedAt = Date.now();
      process.kill(current.get(name) ?? -1, 'SIGKILL');
      // The others go on serving while it is down.
      if (name !== 'collector') expect(await serves(collector)).toBe(true);
      if (name !== 'api') expect(await serves(api)).toBe(true);
      const back = await stack
        .waitForRecord((r) => r.msg === `${name} ready`, 30_000, since)
        .catch((error: Error) => {
          const recent = stack.records.slice(since).filter((r) => !/batch/.test(String(r.msg)));
          throw new Error(
            `${name} not back: ${error.message}\n${recent.map((r) => JSON.stringify(r)).join('\n')}`,
          );
        });
      expect(back.pid).not.toBe(current.get(name));
      const downForMs = Date.now() - killedAt;
      expect(downForMs).toBeLessThan(30_000);
      current.set(name, back.pid as number);
      for (const [other, pid] of current) if (other !== name) expect(alive(pid), other).toBe(true);
      expect(await serves(collector)).toBe(true);
      expect(await serves(api)).toBe(true);
    }
    // No other child was restarted along the way.
    const restarts = stack.records.filter((r) => typeof r.msg === 'string' && r.msg.startsWith('restarting'));
    expect(restarts.map((r) => r.component)).toEqual(['aggregator', 'collector', 'api', 'demo']);
    expect(await stack.stop()).toBe(0);
    expect([...current.values()].filter(alive)).toEqual([]);
  }, 240_000);
});
