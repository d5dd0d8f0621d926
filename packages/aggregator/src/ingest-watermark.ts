import type { RedisClient } from '@reachmap/queue';
import type { Queue } from 'bullmq';
import { lastClosedWindowEnd } from './window-clock.ts';

/** Delayed jobs read per pass: re-checks and retries; the queue's earliest-due ones stand for the rest. */
const DELAYED_READ = 16;

/**
 * When the oldest ingest job not yet counted was enqueued (BullMQ's job `timestamp`: the collector's
 * clock when it accepted the batch), or null when every accepted batch is counted. Waiting, active,
 * delayed (control re-checks) and prioritized jobs all hold measurements the rollups do not have yet;
 * jobs that already failed once are left out. One pipelined read of a few ids and fields, never a
 * job's measurements.
 */
export async function oldestPendingIngestMs(redis: RedisClient, queue: Queue): Promise<number | null> {
  const { keys } = queue;
  const lists = await redis
    .multi()
    // Workers take from the right of `wait`, so its oldest job is the last.
    .lrange(keys.wait as string, -1, -1)
    .lrange(keys.paused as string, -1, -1)
    .lrange(keys.active as string, 0, -1)
    .zrange(keys.delayed as string, '0', String(DELAYED_READ - 1))
    .zrange(keys.prioritized as string, '0', '0')
    .exec();
  const ids = new Set<string>();
  for (const [error, value] of lists ?? []) {
    if (error !== null) throw error;
    for (const id of value as string[]) ids.add(id);
  }
  if (ids.size === 0) return null;
  const reads = redis.multi();
  // `atm`: BullMQ's attempts made, counted up when a failed job is scheduled for its retry.
  for (const id of ids) reads.hmget(queue.toKey(id), 'timestamp', 'atm');
  const jobs = await reads.exec();
  let oldest: number | null = null;
  for (const [error, value] of jobs ?? []) {
    if (error !== null) throw error;
    const [timestamp, attempts] = value as [string | null, string | null];
    const stamp = Number(timestamp);
    // A job finished between the two reads has no hash left: it no longer holds anything back.
    if (timestamp === null || !Number.isFinite(stamp)) continue;
    // A batch that failed is an error (logged, retried, dead-lettered at the end), not a backlog:
    // waiting for it would hold every window for as long as the error lasts.
    if (Number(attempts ?? 0) > 0) continue;
    oldest = oldest === null ? stamp : Math.min(oldest, stamp);
  }
  return oldest;
}

/**
 * Which due windows an aggregator may judge. A window is due at end + grace, but is judged only once
 * every batch accepted by then is counted: judged earlier, the agents of a batch still queued read as
 * not heard (a heartbeat collapse, `outage.started` in every scope) and their runs as missing. The
 * wait is bounded: a window this process has held for `latenessMs` (from the pass that first found
 * it due and incomplete, so an aggregator back from downtime gives its backlog the same time) is
 * judged on what was counted, and a backlog that does not drain cannot freeze the map.
 */
export class WindowHold {
  /** Window end → when a pass first found it due but its batches not all counted. */
  readonly #heldSince = new Map<number, number>();
  #readyEnd = Number.NEGATIVE_INFINITY;
  readonly #windowMs: number;
  readonly #graceMs: number;
  readonly #latenessMs: number;
  /** Windows looked at behind the newest due one: the evaluator's catch-up, no more. */
  readonly #catchUpWindows: number;

  constructor(windowMs: number, graceMs: number, latenessMs: number, catchUpWindows: number) {
    this.#windowMs = windowMs;
    this.#graceMs = graceMs;
    this.#latenessMs = latenessMs;
    this.#catchUpWindows = catchUpWindows;
  }

  /** The end of the newest window a pass at `nowMs` may judge, given the oldest uncounted batch. */
  readyEnd(nowMs: number, oldestPendingMs: number | null): number {
    const due = this.#closedBy(nowMs);
    // Everything accepted before the oldest pending job is counted: windows due by then are complete.
    const complete = oldestPendingMs === null ? due : Math.min(due, this.#closedBy(oldestPendingMs - 1));
    // What an earlier pass released stays released: the map never goes back.
    let ready = Math.min(due, Math.max(complete, this.#readyEnd));
    let released = true;
    const first = Math.max(ready, due - this.#catchUpWindows * this.#windowMs) + this.#windowMs;
    for (let end = first; end <= due; end += this.#windowMs) {
      const since = this.#heldSince.get(end) ?? nowMs;
      this.#heldSince.set(end, since);
      // Windows are judged in order: the first one still within its wait holds the later ones.
      released &&= nowMs - since >= this.#latenessMs;
      if (released) ready = end;
    }
    for (const end of this.#heldSince.keys()) if (end <= ready) this.#heldSince.delete(end);
    this.#readyEnd = ready;
    return ready;
  }

  #closedBy(atMs: number): number {
    return lastClosedWindowEnd(atMs, this.#windowMs, this.#graceMs);
  }
}
