import { describe, expect, it } from 'vitest';
import { LinkShare } from './link-share.ts';

/** A piece of work that records when it runs and ends only when the test says so. */
function work(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    run: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
      return name;
    },
    finish: async () => {
      finish();
      await settle();
    },
  };
}

/** Lets every promise continuation that is ready run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LinkShare', () => {
  it('runs probe phases side by side', async () => {
    const link = new LinkShare();
    const log: string[] = [];
    const [a, b] = [work(log, 'probe a'), work(log, 'probe b')];
    const running = [link.probe(a.run), link.probe(b.run)];
    await settle();
    expect(log).toEqual(['probe a start', 'probe b start']);
    await a.finish();
    await b.finish();
    expect(await Promise.all(running)).toEqual(['probe a', 'probe b']);
    expect(link.idle).toBe(true);
  });

  it('starts a transfer only when the probes running have ended, and no new probe while it waits', async () => {
    const link = new LinkShare();
    const log: string[] = [];
    const [probeA, transfer, probeB] = [work(log, 'probe a'), work(log, 'transfer'), work(log, 'probe b')];
    const running = [link.probe(probeA.run), link.transfer(transfer.run)];
    await settle();
    running.push(link.probe(probeB.run));
    await settle();
    expect(log).toEqual(['probe a start']);
    await probeA.finish();
    expect(log).toEqual(['probe a start', 'probe a end', 'transfer start']);
    await transfer.finish();
    expect(log.slice(3)).toEqual(['transfer end', 'probe b start']);
    await probeB.finish();
    await Promise.all(running);
    expect(link.idle).toBe(true);
  });

  it('runs transfers one at a time, then releases every waiting probe phase together', async () => {
    const link = new LinkShare();
    const log: string[] = [];
    const [first, second] = [work(log, 'transfer 1'), work(log, 'transfer 2')];
    const [probeA, probeB] = [work(log, 'probe a'), work(log, 'probe b')];
    const running = [link.transfer(first.run), link.transfer(second.run)];
    await settle();
    running.push(link.probe(probeA.run), link.probe(probeB.run));
    await settle();
    expect(log).toEqual(['transfer 1 start']);
    await first.finish();
    expect(log).toEqual(['transfer 1 start', 'transfer 1 end', 'transfer 2 start']);
    await second.finish();
    expect(log.slice(3)).toEqual(['transfer 2 end', 'probe a start', 'probe b start']);
    await probeA.finish();
    await probeB.finish();
    await Promise.all(running);
    expect(link.idle).toBe(true);
  });

  it('frees the link when the work throws', async () => {
    const link = new LinkShare();
    await expect(link.transfer(() => Promise.reject(new Error('reset')))).rejects.toThrow('reset');
    await expect(link.probe(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(link.idle).toBe(true);
    await expect(link.transfer(async () => 'next')).resolves.toBe('next');
  });
});
