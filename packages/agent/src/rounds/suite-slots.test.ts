import { describe, expect, it } from 'vitest';
import { type SuitePlacement, SuiteSlots } from './suite-slots.ts';

const running = () => false;

/** Whether `promise` has settled once pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

function releaseOf(placement: SuitePlacement): () => void {
  if (placement.kind !== 'now') throw new Error(`expected a suite placed now, got ${placement.kind}`);
  return placement.release;
}

describe('SuiteSlots', () => {
  it('runs at most `concurrency` suites at once and starts the next as one ends', async () => {
    const slots = new SuiteSlots(2);
    const first = releaseOf(await slots.place('a', running));
    releaseOf(await slots.place('b', running));
    const third = slots.place('c', running);
    expect(await settled(third)).toBe(false);
    first();
    expect((await third).kind).toBe('now');
  });

  it('defers a target whose earlier suite still runs, hands it the target when that ends, and skips a third', async () => {
    const slots = new SuiteSlots(4);
    const earlier = releaseOf(await slots.place('slow', running));
    const later = await slots.place('slow', running);
    if (later.kind !== 'deferred') throw new Error(`expected deferred, got ${later.kind}`);
    // A third round while one already waits: measuring it twice more would only queue up.
    expect((await slots.place('slow', running)).kind).toBe('skipped');
    // Other targets are not held up by the slow one.
    expect((await slots.place('fast', running)).kind).toBe('now');

    expect(await settled(later.ready)).toBe(false);
    earlier();
    const releaseLater = await later.ready;
    if (releaseLater === null) throw new Error('the deferred suite was dropped');
    // The deferred suite now holds the target: the next round defers behind it, it does not run beside it.
    expect((await slots.place('slow', running)).kind).toBe('deferred');
    releaseLater();
  });

  it('gives a deferred suite a slot only when one is free', async () => {
    const slots = new SuiteSlots(1);
    const slow = releaseOf(await slots.place('slow', running));
    const deferred = await slots.place('slow', running);
    if (deferred.kind !== 'deferred') throw new Error(`expected deferred, got ${deferred.kind}`);
    const other = slots.place('other', running);
    slow();
    // FIFO: the suite that waited for the slot first gets it.
    const otherRelease = releaseOf(await other);
    expect(await settled(deferred.ready)).toBe(false);
    otherRelease();
    expect(await deferred.ready).not.toBeNull();
  });

  it('drops a deferred suite when the agent stopped meanwhile, and frees the target', async () => {
    const slots = new SuiteSlots(2);
    let stopped = false;
    const slow = releaseOf(await slots.place('slow', () => stopped));
    const deferred = await slots.place('slow', () => stopped);
    if (deferred.kind !== 'deferred') throw new Error(`expected deferred, got ${deferred.kind}`);
    stopped = true;
    slow();
    expect(await deferred.ready).toBeNull();
    expect((await slots.place('slow', running)).kind).toBe('now');
  });

  it('applies a new concurrency as slots free up, and a release twice frees one slot', async () => {
    const slots = new SuiteSlots(1);
    const a = releaseOf(await slots.place('a', running));
    const b = slots.place('b', running);
    slots.setConcurrency(2);
    const releaseB = releaseOf(await b);
    a();
    a();
    releaseOf(await slots.place('c', running));
    expect(await settled(slots.place('d', running))).toBe(false);
    releaseB();
  });
});
