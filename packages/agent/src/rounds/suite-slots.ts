/**
 * The suites an agent has in flight, shared by rounds that overlap: at most `limit` run at once (the
 * schedule's concurrency, across all rounds), in the order they asked, and never two of one target.
 * A round that starts while an earlier round's suite of a target still runs skips that target, so
 * one slow target costs its own pace, not every target's.
 */
export class SuiteSlots {
  /** Targets with a suite running or waiting for a slot. */
  readonly #claimed = new Set<string>();
  readonly #queue: Array<{ limit: number; start: () => void }> = [];
  #running = 0;

  /**
   * Runs `task` for `targetId` once a slot is free; resolves `false` at once, without running it, when
   * that target's suite already runs or waits. `started` is called when the task takes its slot.
   */
  async run(
    targetId: string,
    limit: number,
    task: () => Promise<void>,
    started: () => void = () => {},
  ): Promise<boolean> {
    if (this.#claimed.has(targetId)) return false;
    this.#claimed.add(targetId);
    try {
      await new Promise<void>((start) => {
        this.#queue.push({ limit, start });
        this.#startWaiting();
      });
      started();
      try {
        await task();
      } finally {
        this.#running -= 1;
        this.#startWaiting();
      }
      return true;
    } finally {
      this.#claimed.delete(targetId);
    }
  }

  /** Suites running now (not counting those waiting for a slot). */
  get running(): number {
    return this.#running;
  }

  #startWaiting(): void {
    // First come, first served: a later round's suites wait behind an earlier round's.
    while (this.#queue.length > 0 && this.#running < (this.#queue[0]?.limit ?? 0)) {
      const next = this.#queue.shift();
      this.#running += 1;
      next?.start();
    }
  }
}
