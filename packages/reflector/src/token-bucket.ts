/**
 * A token bucket in bytes: refills at `ratePerSecond` up to `burst`. `take` may drive the level below
 * zero; the debt is the wait before the caller may send again, which paces a stream to the rate.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(ratePerSecond: number, burst: number, now: () => number = performance.now.bind(performance)) {
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#updatedAt = now();
  }

  /** Takes `bytes` tokens and returns how many milliseconds to wait before sending them. */
  take(bytes: number): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.#rate);
    this.#updatedAt = now;
    this.#tokens -= bytes;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#rate) * 1000;
  }

  /** Whether the bucket is full again, so its state carries nothing worth keeping. */
  isFull(): boolean {
    const now = this.#now();
    return this.#tokens + ((now - this.#updatedAt) / 1000) * this.#rate >= this.#burst;
  }
}
