import { type FileHandle, mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { removeFileDurably, syncDirectory } from './durable-file.ts';
import { listSegmentSequences, readSegmentLines, recoverSegment, segmentFileName } from './segment-file.ts';
import {
  compareCursors,
  readSpoolState,
  type SpoolCursor,
  type SpoolState,
  writeSpoolState,
} from './spool-state.ts';

export const DEFAULT_SPOOL_MAX_BYTES = 100 * 1024 * 1024;
/** About 1% of the default bound: drops happen in steps this size, and a batch read touches one or two files. */
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024;

export interface SpoolOptions {
  dir: string;
  maxBytes?: number;
  segmentBytes?: number;
  now?: () => number;
}

export interface SpoolRecovery {
  /** Bytes of incomplete appends cut from the end of the last segment at start. */
  tornBytes: number;
}

export interface SpoolBatch {
  /** The measurements as spooled (one JSON object each), in spool order. */
  lines: string[];
  /** Lines skipped because they no longer parse (disk damage); they are acknowledged with the batch. */
  corruptLines: number;
  /** Where the spool resumes once this batch is acknowledged. */
  end: SpoolCursor;
}

export interface SpoolDrops {
  count: number;
  since: string;
}

export interface SpoolStats {
  pendingMeasurements: number;
  bytesOnDisk: number;
  segments: number;
  maxBytes: number;
  /** Drops not yet reported to the collector. */
  dropped: SpoolDrops | null;
}

export class MeasurementTooLargeError extends Error {
  override readonly name = 'MeasurementTooLargeError';
}

export interface SegmentCount {
  sequence: number;
  lines: number;
  bytes: number;
}
type Segment = SegmentCount;

/** The first undelivered line: the cursor, moved past segments that no longer exist. */
export function firstUndelivered(segments: readonly SegmentCount[], cursor: SpoolCursor): SpoolCursor {
  const first = segments.find((segment) => segment.sequence >= cursor.segment);
  if (first === undefined) return cursor;
  return first.sequence === cursor.segment ? cursor : { segment: first.sequence, line: 0 };
}

/** Lines not yet delivered, given the segments on disk and the delivery cursor. */
export function pendingLines(segments: readonly SegmentCount[], cursor: SpoolCursor): number {
  const position = firstUndelivered(segments, cursor);
  let pending = 0;
  for (const segment of segments) {
    if (segment.sequence < position.segment) continue;
    pending += Math.max(0, segment.lines - (segment.sequence === position.segment ? position.line : 0));
  }
  return pending;
}

export const SPOOL_STATE_FILE = 'spool-state.json';

/**
 * The agent's durable outbox. A measurement is spooled once its line is written and fsynced; it
 * leaves the disk only after the collector answered 202 for it, or, when the spool is full, by an
 * oldest-first drop that is counted durably and reported with the next batch (`spool_dropped`).
 * Operations run one at a time, so the delivery cursor, drops and appends never interleave.
 */
export class Spool {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #segmentBytes: number;
  readonly #now: () => number;
  readonly #segments: Segment[];
  #state: SpoolState;
  #active: { segment: Segment; handle: FileHandle } | null = null;
  #nextSequence: number;
  #queue: Promise<unknown> = Promise.resolve();
  #waiters: (() => void)[] = [];

  private constructor(options: Required<SpoolOptions>, state: SpoolState, segments: Segment[]) {
    this.#dir = options.dir;
    this.#maxBytes = options.maxBytes;
    this.#segmentBytes = options.segmentBytes;
    this.#now = options.now;
    this.#state = state;
    this.#segments = segments;
    const last = segments.at(-1)?.sequence ?? 0;
    this.#nextSequence = Math.max(last, state.cursor.segment, state.dropped.through_segment) + 1;
  }

  /** Opens (creating if needed) the spool in `dir`, finishing whatever a crash interrupted. */
  static async open(options: SpoolOptions): Promise<{ spool: Spool; recovery: SpoolRecovery }> {
    const resolved: Required<SpoolOptions> = {
      dir: options.dir,
      maxBytes: options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES,
      segmentBytes: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
      now: options.now ?? Date.now,
    };
    await mkdir(resolved.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(resolved.dir)) {
      // Left by a state replacement a crash interrupted before its rename.
      if (name.endsWith('.tmp')) await rm(join(resolved.dir, name), { force: true });
    }
    const state = await readSpoolState(join(resolved.dir, SPOOL_STATE_FILE));
    const segments: Segment[] = [];
    let tornBytes = 0;
    for (const sequence of await listSegmentSequences(resolved.dir)) {
      const path = join(resolved.dir, segmentFileName(sequence));
      // Delivered or dropped before the crash, but the delete did not happen.
      if (sequence < state.cursor.segment || sequence <= state.dropped.through_segment) {
        await removeFileDurably(path);
        continue;
      }
      const recovered = await recoverSegment(path);
      tornBytes += recovered.tornBytes;
      segments.push({ sequence, lines: recovered.lines, bytes: recovered.bytes });
    }
    const spool = new Spool(resolved, state, segments);
    return { spool, recovery: { tornBytes } };
  }

  /** Writes measurements durably; resolves only when they would survive a crash or power cut. */
  append(measurements: readonly unknown[]): Promise<void> {
    if (measurements.length === 0) return Promise.resolve();
    const text = measurements.map((measurement) => `${JSON.stringify(measurement)}\n`).join('');
    const data = Buffer.from(text);
    return this.#serially(async () => {
      if (data.length > this.#maxBytes) {
        throw new MeasurementTooLargeError(
          `${data.length} bytes of measurements do not fit a spool of ${this.#maxBytes} bytes`,
        );
      }
      await this.#makeRoomFor(data.length);
      const { segment, handle } = await this.#activeSegment();
      try {
        await handle.write(data, 0, data.length, null);
        await handle.sync();
      } catch (error) {
        // Leave no partial line behind: the next append would otherwise glue onto it.
        await handle.truncate(segment.bytes).catch(() => undefined);
        throw error;
      }
      segment.bytes += data.length;
      segment.lines += measurements.length;
      if (segment.bytes >= this.#segmentBytes) await this.#sealActive();
      this.#wakeWaiters();
    });
  }

  /** The oldest undelivered measurements, at most `maxCount` and about `maxBytes` of JSON (at least one). */
  nextBatch(maxCount: number, maxBytes: number): Promise<SpoolBatch | null> {
    return this.#serially(async () => {
      const lines: string[] = [];
      let corruptLines = 0;
      let bytes = 0;
      let end = this.#position();
      for (const segment of this.#segments) {
        if (segment.sequence < end.segment) continue;
        const from = segment.sequence === end.segment ? end.line : 0;
        if (from >= segment.lines) continue;
        const read = await readSegmentLines(this.#dir, segment.sequence, from, segment.lines);
        for (const [offset, line] of read.entries()) {
          if (
            line !== null &&
            lines.length > 0 &&
            (lines.length >= maxCount || bytes + line.text.length > maxBytes)
          ) {
            return { lines, corruptLines, end };
          }
          if (line === null) corruptLines++;
          else {
            lines.push(line.text);
            bytes += line.text.length;
          }
          end = { segment: segment.sequence, line: from + offset + 1 };
        }
      }
      return lines.length === 0 && corruptLines === 0 ? null : { lines, corruptLines, end };
    });
  }

  /**
   * Records that the collector answered 202 for everything before `end`, and that the drops it was
   * told about (`reportedDrops`) are reported; then deletes segments with nothing left to deliver.
   */
  acknowledge(end: SpoolCursor, reportedDrops: SpoolDrops | null): Promise<void> {
    return this.#serially(async () => {
      const cursor = compareCursors(end, this.#state.cursor) > 0 ? end : this.#state.cursor;
      const remaining = this.#state.dropped.count - (reportedDrops?.count ?? 0);
      await this.#saveState({
        cursor,
        dropped: {
          ...this.#state.dropped,
          count: Math.max(0, remaining),
          since: remaining > 0 ? this.#state.dropped.since : null,
        },
      });
      await this.#removeDelivered();
    });
  }

  stats(): SpoolStats {
    return {
      pendingMeasurements: pendingLines(this.#segments, this.#state.cursor),
      bytesOnDisk: this.#bytesOnDisk(),
      segments: this.#segments.length,
      maxBytes: this.#maxBytes,
      dropped: this.droppedReport(),
    };
  }

  /** What to send as the next batch's `spool_dropped`, or null when nothing was lost. */
  droppedReport(): SpoolDrops | null {
    const { count, since } = this.#state.dropped;
    return count > 0 && since !== null ? { count, since } : null;
  }

  /** Resolves at the next append, or at once when something is pending or `signal` aborts. */
  waitForPending(signal: AbortSignal): Promise<void> {
    if (this.stats().pendingMeasurements > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        this.#waiters = this.#waiters.filter((waiter) => waiter !== done);
        resolve();
      };
      this.#waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  close(): Promise<void> {
    return this.#serially(async () => {
      await this.#sealActive();
    });
  }

  #position(): SpoolCursor {
    return firstUndelivered(this.#segments, this.#state.cursor);
  }

  async #makeRoomFor(bytes: number): Promise<void> {
    while (this.#segments.length > 0 && this.#bytesOnDisk() + bytes > this.#maxBytes) {
      const oldest = this.#segments[0] as Segment;
      const position = this.#position();
      const undelivered =
        oldest.sequence < position.segment
          ? 0
          : oldest.lines - (oldest.sequence === position.segment ? position.line : 0);
      if (this.#active?.segment === oldest) await this.#sealActive();
      // Counted before the delete: a crash in between finishes the delete at start (`through_segment`).
      await this.#saveState({
        ...this.#state,
        dropped: {
          count: this.#state.dropped.count + undelivered,
          since: this.#state.dropped.since ?? new Date(this.#now()).toISOString(),
          through_segment: oldest.sequence,
        },
      });
      await removeFileDurably(join(this.#dir, segmentFileName(oldest.sequence)));
      this.#segments.shift();
    }
  }

  async #removeDelivered(): Promise<void> {
    const position = this.#position();
    for (const segment of [...this.#segments]) {
      const delivered =
        segment.sequence < position.segment ||
        (segment.sequence === position.segment && position.line >= segment.lines);
      if (!delivered) break;
      if (this.#active?.segment === segment) await this.#sealActive();
      await removeFileDurably(join(this.#dir, segmentFileName(segment.sequence)));
      this.#segments.shift();
    }
  }

  /** The segment appends go to, reopening the last one after a restart while it has room. */
  async #activeSegment(): Promise<{ segment: Segment; handle: FileHandle }> {
    if (this.#active !== null) return this.#active;
    const last = this.#segments.at(-1);
    if (last !== undefined && last.bytes < this.#segmentBytes) {
      this.#active = {
        segment: last,
        handle: await open(join(this.#dir, segmentFileName(last.sequence)), 'a', 0o600),
      };
      return this.#active;
    }
    const segment: Segment = { sequence: this.#nextSequence++, lines: 0, bytes: 0 };
    const handle = await open(join(this.#dir, segmentFileName(segment.sequence)), 'a', 0o600);
    await syncDirectory(this.#dir);
    this.#segments.push(segment);
    this.#active = { segment, handle };
    return this.#active;
  }

  async #sealActive(): Promise<void> {
    const active = this.#active;
    this.#active = null;
    await active?.handle.close();
  }

  #bytesOnDisk(): number {
    return this.#segments.reduce((sum, segment) => sum + segment.bytes, 0);
  }

  async #saveState(state: SpoolState): Promise<void> {
    await writeSpoolState(join(this.#dir, SPOOL_STATE_FILE), state);
    this.#state = state;
  }

  #wakeWaiters(): void {
    for (const waiter of this.#waiters) waiter();
  }

  #serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation, operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
