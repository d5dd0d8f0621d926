import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RestartPolicy } from './restart-policy.ts';
import type { ChildEvent } from './supervised-child.ts';
import { Supervisor } from './supervisor.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const FAST: RestartPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 400,
  maxQuickFailures: 3,
  healthyAfterMs: 60_000,
};

let running: Supervisor | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function supervise(children: Array<{ name: string; fixture: string; env?: NodeJS.ProcessEnv }>) {
  const events: Array<{ child: string } & ChildEvent> = [];
  running = new Supervisor({
    children: children.map(({ name, fixture, env }) => ({
      name,
      entry: join(FIXTURES, fixture),
      env: { ...process.env, ...env },
      stopTimeoutMs: 5_000,
    })),
    policy: FAST,
    onEvent: (child, event) => events.push({ child, ...event }),
    onLine: () => {},
  });
  return { supervisor: running, events };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Supervisor', () => {
  it('gives up on a crash loop after the allowed tries, quoting the child, and keeps the others serving', async () => {
    const { supervisor, events } = supervise([
      { name: 'steady', fixture: 'serving-child.ts' },
      { name: 'broken', fixture: 'crashing-child.ts' },
    ]);
    await supervisor.start();
    const [steady, broken] = supervisor.children;
    expect(broken?.state).toBe('failed');
    const gaveUp = events.find((e) => e.kind === 'gave-up');
    expect(gaveUp).toMatchObject({ child: 'broken', attempts: 4 });
    expect(gaveUp?.kind === 'gave-up' && gaveUp.stderrTail).toContain('cannot open /nonexistent/thing');
    expect(events.filter((e) => e.child === 'broken' && e.kind === 'started')).toHaveLength(4);
    expect(steady?.state).toBe('up');
    expect(await (await fetch(steady?.url ?? '')).text()).toMatch(/^pid \d+$/);
    expect(supervisor.allFailed()).toBe(false);
  }, 30_000);

  it('restarts a child that throws, and its sibling never notices', async () => {
    const { supervisor, events } = supervise([
      { name: 'sibling', fixture: 'serving-child.ts' },
      { name: 'faulty', fixture: 'serving-child.ts', env: { FIXTURE_THROW_AFTER_MS: '300' } },
    ]);
    await supervisor.start();
    const [sibling] = supervisor.children;
    const siblingPid = sibling?.pid;
    await until(() => events.filter((e) => e.child === 'faulty' && e.kind === 'ready').length >= 2, 10_000);
    const exited = events.find((e) => e.child === 'faulty' && e.kind === 'exited');
    expect(exited).toMatchObject({ code: 1 });
    expect(exited?.kind === 'exited' && exited.stderrTail).toContain('bind EMFILE 0.0.0.0 (simulated)');
    expect(sibling?.pid).toBe(siblingPid);
    expect(events.some((e) => e.child === 'sibling' && e.kind === 'exited')).toBe(false);
    expect(await (await fetch(sibling?.url ?? '')).text()).toBe(`pid ${siblingPid}`);
  }, 30_000);

  it('stops children in reverse start order and leaves none running', async () => {
    const { supervisor } = supervise([
      { name: 'first', fixture: 'serving-child.ts' },
      { name: 'second', fixture: 'serving-child.ts' },
    ]);
    await supervisor.start();
    const pids = supervisor.children.map((c) => c.pid ?? -1);
    const order: string[] = [];
    for (const child of supervisor.children) {
      const stop = child.stop.bind(child);
      child.stop = async () => {
        order.push(child.spec.name);
        await stop();
      };
    }
    await supervisor.stop();
    expect(order).toEqual(['second', 'first']);
    expect(pids.filter(alive)).toEqual([]);
  }, 30_000);
});
