/** A policer's token bucket in bytes: how long a chunk must wait to fit the rate. */
export class TokenBucket {
  readonly #bytesPerSecond: number;
  readonly #burstBytes: number;
  #tokens: number;
  #updatedAt = performance.now();

  constructor(rateBps: number, burstBytes: number) {
    this.#bytesPerSecond = rateBps / 8;
    this.#burstBytes = burstBytes;
    this.#tokens = burstBytes;
  }

  /** Takes `bytes` tokens (going into debt) and returns the milliseconds to wait before sending. */
  take(bytes: number): number {
    const now = performance.now();
    this.#tokens = Math.min(
      this.#burstBytes,
      this.#tokens + ((now - this.#updatedAt) / 1000) * this.#bytesPerSecond,
    );
    this.#updatedAt = now;
    this.#tokens -= bytes;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#bytesPerSecond) * 1000;
  }
}
