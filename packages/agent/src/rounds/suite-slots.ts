/** How a round's suite for one target was placed. */
export type SuitePlacement =
  /** It holds a slot now and runs; call `release` when it ends. */
  | { kind: 'now'; release: () => void }
  /**
   * The target's suite of an earlier round still runs: this one waits for it to end, then for a slot,
   * and runs as soon as it gets one (`ready` gives its `release`; null when the agent stopped meanwhile).
   */
  | { kind: 'deferred'; ready: Promise<(() => void) | null> }
  /** A suite of this target already waits its turn: a second one would only queue up behind it. */
  | { kind: 'skipped' };

/**
 * The agent's suites across rounds that overlap: at most `concurrency` at a time, one per target. A slow
 * target (throttled, blackholed) holds the next round back no longer than it takes to start the other
 * targets' suites, so their pace stays the interval; its own suite runs again as soon as the earlier
 * one ends, so its pace is its own duration rather than whole intervals (docs/operators.md, "Rounds").
 */
export class SuiteSlots {
  #concurrency: number;
  #running = 0;
  readonly #waitingForSlot: (() => void)[] = [];
  /** Targets with a suite placed and not yet ended; `next` is the deferred one waiting behind it. */
  readonly #targets = new Map<string, { next: (() => void) | null }>();

  constructor(concurrency: number) {
    this.#concurrency = Math.max(1, concurrency);
  }

  /** A new schedule from the collector: takes effect as slots free up. */
  setConcurrency(concurrency: number): void {
    this.#concurrency = Math.max(1, concurrency);
    this.#grantSlots();
  }

  /** Places one suite of `targetId`; resolves once it runs (`now`) or is deferred or skipped. */
  async place(targetId: string, stopped: () => boolean): Promise<SuitePlacement> {
    const busy = this.#targets.get(targetId);
    if (busy !== undefined) {
      if (busy.next !== null) return { kind: 'skipped' };
      const turn = new Promise<void>((resolve) => {
        busy.next = resolve;
      });
      const ready = turn.then(async () => {
        if (stopped()) {
          this.#endTarget(targetId);
          return null;
        }
        await this.#slot();
        return this.#releaser(targetId);
      });
      return { kind: 'deferred', ready };
    }
    this.#targets.set(targetId, { next: null });
    await this.#slot();
    return { kind: 'now', release: this.#releaser(targetId) };
  }

  #releaser(targetId: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running--;
      this.#grantSlots();
      this.#endTarget(targetId);
    };
  }

  /** The target's suite ended: the deferred one behind it takes the target over, or the target is free. */
  #endTarget(targetId: string): void {
    const busy = this.#targets.get(targetId);
    if (busy === undefined) return;
    if (busy.next === null) {
      this.#targets.delete(targetId);
      return;
    }
    const next = busy.next;
    busy.next = null;
    next();
  }

  #slot(): Promise<void> {
    if (this.#running < this.#concurrency) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#waitingForSlot.push(() => {
        this.#running++;
        resolve();
      });
    });
  }

  #grantSlots(): void {
    while (this.#running < this.#concurrency && this.#waitingForSlot.length > 0) {
      this.#waitingForSlot.shift()?.();
    }
  }
}
