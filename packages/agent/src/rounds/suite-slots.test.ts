import { describe, expect, it } from 'vitest';
import { SuiteSlots } from './suite-slots.ts';

/** A task that runs until `finish` is called, recording its start. */
function gate(log: string[], name: string) {
  let finish = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    task: async () => {
      log.push(`start ${name}`);
      await finished;
    },
    finish,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SuiteSlots', () => {
  it('runs at most `limit` suites at once across callers, first come first served', async () => {
    const slots = new SuiteSlots();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const c = gate(log, 'c');
    const runs = [slots.run('a', 2, a.task), slots.run('b', 2, b.task), slots.run('c', 2, c.task)];
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    expect(slots.running).toBe(2);
    b.finish();
    await tick();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    a.finish();
    c.finish();
    expect(await Promise.all(runs)).toEqual([true, true, true]);
    expect(slots.running).toBe(0);
  });

  it('skips a target whose suite runs or waits, and takes it again once that suite is done', async () => {
    const slots = new SuiteSlots();
    const log: string[] = [];
    const slow = gate(log, 'slow');
    const first = slots.run('youtube', 1, slow.task);
    // Waiting for the one slot counts as claimed too.
    const waiting = gate(log, 'whatsapp');
    const queued = slots.run('whatsapp', 1, waiting.task);
    expect(
      await slots.run('youtube', 1, async () => {
        log.push('twice');
      }),
    ).toBe(false);
    expect(
      await slots.run('whatsapp', 1, async () => {
        log.push('twice');
      }),
    ).toBe(false);
    slow.finish();
    waiting.finish();
    expect(await Promise.all([first, queued])).toEqual([true, true]);
    expect(await slots.run('youtube', 1, async () => {})).toBe(true);
    expect(log).toEqual(['start slow', 'start whatsapp']);
  });

  it('frees the slot and the target when a suite throws', async () => {
    const slots = new SuiteSlots();
    await expect(
      slots.run('youtube', 1, async () => {
        throw new Error('probe crashed');
      }),
    ).rejects.toThrow('probe crashed');
    expect(slots.running).toBe(0);
    expect(await slots.run('youtube', 1, async () => {})).toBe(true);
  });

  it('calls `started` when the suite takes its slot, not when it asks', async () => {
    const slots = new SuiteSlots();
    const log: string[] = [];
    const holder = gate(log, 'holder');
    const held = slots.run('a', 1, holder.task, () => log.push('a took its slot'));
    const next = slots.run(
      'b',
      1,
      async () => {},
      () => log.push('b took its slot'),
    );
    await tick();
    expect(log).toEqual(['a took its slot', 'start holder']);
    holder.finish();
    await Promise.all([held, next]);
    expect(log).toEqual(['a took its slot', 'start holder', 'b took its slot']);
  });
});
