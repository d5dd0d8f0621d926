import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { SubmissionResult } from '@reachmap/schema';
import { syncDirectory } from '../spool/durable-file.ts';

export interface RejectedMeasurement {
  /** The measurement as it was spooled. */
  line: string;
  batchId: string | null;
  errors: SubmissionResult['rejected'][number]['errors'];
}

/**
 * Measurements the collector refused, with its reasons, for the operator to read (usually an old
 * agent version or a clock far off). Written durably before the batch is acknowledged, one
 * JSON-lines file per UTC day under `rejected/`.
 */
export class RejectedLog {
  readonly #dir: string;

  constructor(stateDir: string) {
    this.#dir = join(stateDir, 'rejected');
  }

  get dir(): string {
    return this.#dir;
  }

  async record(rejected: readonly RejectedMeasurement[], now: number = Date.now()): Promise<void> {
    if (rejected.length === 0) return;
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const recordedAt = new Date(now).toISOString();
    const text = rejected
      .map((item) =>
        JSON.stringify({
          recorded_at: recordedAt,
          batch_id: item.batchId,
          errors: item.errors,
          measurement: JSON.parse(item.line),
        }),
      )
      .join('\n');
    const handle = await open(join(this.#dir, `rejected-${recordedAt.slice(0, 10)}.jsonl`), 'a', 0o600);
    try {
      await handle.write(`${text}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await syncDirectory(this.#dir);
  }
}
