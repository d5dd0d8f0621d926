import type { ClassifiedMeasurement, CountResult } from '@reachmap/store';

/** Counts some classified measurements in one go (the store's `countMeasurements`). */
export type CountFlush = (measurements: ClassifiedMeasurement[]) => Promise<CountResult[]>;

export interface CountBatcherOptions {
  /**
   * How long the first waiting job waits for others to join its flush. 0 joins only the jobs that are
   * ready at the same moment or while a flush is under way (group commit, no added latency).
   */
  lingerMs: number;
  /** A flush takes whole jobs until it holds this many measurements (at least one job). */
  maxMeasurements: number;
  /** Told how many jobs and measurements a flush is about to write (logs, metrics). */
  onFlush?: (jobs: number, measurements: number) => void;
}

interface Waiting {
  measurements: ClassifiedMeasurement[];
  resolve: (results: CountResult[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Merges the counting of concurrent jobs into one flush: the jobs a worker process runs at once hand
 * their classified measurements here and wait; one flush at a time writes all that waited, so Redis
 * gets one merged write per key for many jobs. A job completes only after its flush: a crash before
 * that leaves the job active, BullMQ runs it again, and the store's "counted" sets keep the second
 * run from counting anything twice. A failed flush fails every job in it (each retries).
 */
export function createCountBatcher(flush: CountFlush, options: CountBatcherOptions) {
  const waiting: Waiting[] = [];
  let flushing = false;
  let scheduled = false;

  const schedule = (delayMs: number) => {
    if (scheduled || flushing) return;
    scheduled = true;
    const run = () => {
      scheduled = false;
      void flushWaiting();
    };
    // setImmediate lets the jobs that finish classifying in the same turn join the flush.
    if (delayMs > 0) setTimeout(run, delayMs);
    else setImmediate(run);
  };

  const flushWaiting = async () => {
    flushing = true;
    const taken: Waiting[] = [];
    let size = 0;
    while (waiting.length > 0) {
      const next = waiting[0] as Waiting;
      if (taken.length > 0 && size + next.measurements.length > options.maxMeasurements) break;
      taken.push(next);
      size += next.measurements.length;
      waiting.shift();
    }
    try {
      options.onFlush?.(taken.length, size);
      const results = await flush(taken.flatMap((job) => job.measurements));
      let offset = 0;
      for (const job of taken) {
        job.resolve(results.slice(offset, offset + job.measurements.length));
        offset += job.measurements.length;
      }
    } catch (error) {
      for (const job of taken) job.reject(error);
    } finally {
      flushing = false;
      // Jobs that came during the flush have waited long enough: no linger for them.
      if (waiting.length > 0) schedule(0);
    }
  };

  return {
    count(measurements: ClassifiedMeasurement[]): Promise<CountResult[]> {
      if (measurements.length === 0) return Promise.resolve([]);
      return new Promise<CountResult[]>((resolve, reject) => {
        waiting.push({ measurements, resolve, reject });
        schedule(options.lingerMs);
      });
    },
  };
}
export type CountBatcher = ReturnType<typeof createCountBatcher>;
