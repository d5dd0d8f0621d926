/**
 * Who has the agent's link during a round. Suites run `concurrency` at a time; their probe phases
 * (handshakes, small requests) share the link, but a transfer has it alone. Otherwise one target's
 * download halves another's measured throughput (a false throttle), and on a slow line (2 Mbit/s) the
 * downloads queue every other suite's TLS handshakes behind them until the round's deadline cuts them
 * (docs/lab.md, fuzz world 9018756).
 *
 * A readers–writer lock that prefers transfers: once a transfer waits, no new probe phase starts, so
 * transfers are not starved by a stream of probes; probe phases waiting behind transfers start
 * together when the last transfer ends.
 */
export class LinkShare {
  #probing = 0;
  #transferring = false;
  readonly #waitingTransfers: (() => void)[] = [];
  readonly #waitingProbes: (() => void)[] = [];

  /** Runs `work` beside other probe phases, never during a transfer. */
  async probe<T>(work: () => Promise<T>): Promise<T> {
    if (this.#transferring || this.#waitingTransfers.length > 0) {
      await new Promise<void>((resolve) => this.#waitingProbes.push(resolve));
    } else {
      this.#probing += 1;
    }
    try {
      return await work();
    } finally {
      this.#probing -= 1;
      this.#handOver();
    }
  }

  /** Runs `work` with the link to itself: no probe phase and no other transfer at the same time. */
  async transfer<T>(work: () => Promise<T>): Promise<T> {
    if (this.#transferring || this.#probing > 0) {
      await new Promise<void>((resolve) => this.#waitingTransfers.push(resolve));
    } else {
      this.#transferring = true;
    }
    try {
      return await work();
    } finally {
      this.#transferring = false;
      this.#handOver();
    }
  }

  /** Whether nothing holds the link and nobody waits for it (for tests and assertions). */
  get idle(): boolean {
    return (
      this.#probing === 0 &&
      !this.#transferring &&
      this.#waitingTransfers.length === 0 &&
      this.#waitingProbes.length === 0
    );
  }

  /** Gives the free link to the next transfer, or else to every waiting probe phase. */
  #handOver(): void {
    if (this.#transferring || this.#probing > 0) return;
    const nextTransfer = this.#waitingTransfers.shift();
    if (nextTransfer !== undefined) {
      this.#transferring = true;
      nextTransfer();
      return;
    }
    const probes = this.#waitingProbes.splice(0);
    this.#probing += probes.length;
    for (const start of probes) start();
  }
}
