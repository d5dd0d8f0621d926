/**
 * Per-flow state a relay keeps while a flow is active: at most `maxFlows` entries, each let go after
 * `idleMs` without use, the least recently used first when full. A relay that keeps one upstream socket
 * per client address:port (every DNS query uses a fresh source port) otherwise grows without end.
 */
export interface FlowTableOptions<V> {
  maxFlows: number;
  idleMs: number;
  /** Releases a flow's resources (closes its socket); called once per entry that leaves the table. */
  release: (value: V) => void;
}

export class FlowTable<V> {
  readonly #flows = new Map<string, { value: V; timer: NodeJS.Timeout }>();
  readonly #options: FlowTableOptions<V>;

  constructor(options: FlowTableOptions<V>) {
    this.#options = options;
  }

  get size(): number {
    return this.#flows.size;
  }

  /** The flow's value, created on first use; every use restarts its idle timer and makes it the newest. */
  use(key: string, create: () => V): V {
    const existing = this.#flows.get(key);
    let value: V;
    if (existing !== undefined) {
      clearTimeout(existing.timer);
      // Re-inserting keeps the Map in least-recently-used order.
      this.#flows.delete(key);
      value = existing.value;
    } else {
      const oldest = this.#flows.keys().next();
      if (!oldest.done && this.#flows.size >= this.#options.maxFlows) this.delete(oldest.value);
      value = create();
    }
    const timer = setTimeout(() => this.delete(key), this.#options.idleMs);
    // An idle flow must not keep a process alive on its own.
    timer.unref();
    this.#flows.set(key, { value, timer });
    return value;
  }

  /** Restarts the idle timer of a flow that is still in the table with `value` (a reply, say). */
  touch(key: string, value: V): void {
    const entry = this.#flows.get(key);
    if (entry !== undefined && entry.value === value) this.use(key, () => value);
  }

  /** Lets a flow go now (idle, failed, or evicted); only if it still holds `value` when one is given. */
  delete(key: string, value?: V): void {
    const entry = this.#flows.get(key);
    if (entry === undefined || (value !== undefined && entry.value !== value)) return;
    clearTimeout(entry.timer);
    this.#flows.delete(key);
    this.#options.release(entry.value);
  }

  clear(): void {
    for (const key of [...this.#flows.keys()]) this.delete(key);
  }
}
