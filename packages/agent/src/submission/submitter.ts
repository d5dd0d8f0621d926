import type { KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { signMeasurement } from '@reachmap/agent-auth';
import { MAX_BATCH_MEASUREMENTS, SubmissionResult } from '@reachmap/schema';
import { type CollectorResponse, callCollector, type SignedCaller } from '../collector/collector-client.ts';
import type { Logger } from '../runtime/agent-logger.ts';
import type { Spool, SpoolBatch, SpoolDrops } from '../spool/spool.ts';
import type { AgentStatusRecorder } from '../status/agent-status.ts';
import { sleepUnlessAborted } from './abortable-sleep.ts';
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import type { RejectedLog } from './rejected-log.ts';
import { type SpanExport, startSubmitSpan, submitSpanExport } from './submit-span.ts';

/** The brief's wire limit for one batch; the collector's own limit (5 MB by default) is well above. */
export const MAX_BATCH_WIRE_BYTES = 1024 * 1024;
/** JSON read from the spool per attempt; gzip usually shrinks measurements 5-10×, so this rarely binds. */
const MAX_BATCH_JSON_BYTES = 8 * 1024 * 1024;
/** A revoked agent keeps its spool (the operator may re-enrol) and asks again rarely. */
const REVOKED_RETRY_MS = 60 * 60_000;

export interface SubmitterOptions {
  collectorUrl: string;
  caller: SignedCaller;
  spool: Spool;
  rejectedLog: RejectedLog;
  status: AgentStatusRecorder;
  logger: Logger;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Where the agent's own `agent.submit` spans go; from the OTEL_* variables by default (null: nowhere). */
  spanExport?: SpanExport | null;
}

export type SubmitOutcome =
  | { kind: 'idle' }
  | { kind: 'delivered'; measurements: number }
  | { kind: 'retry'; delayMs: number; reason: string };

/**
 * Moves the spool to the collector: the oldest measurements first, gzip-compressed and signed, at
 * most 500 and 1 MB on the wire per batch. A batch is acknowledged in the spool only after a 2xx
 * whose body accounts for it (accepted, duplicates and rejected all count as delivered), so every
 * failure, timeout or crash means the same measurements are sent again: at-least-once delivery,
 * made exactly-once downstream by the measurement ids.
 */
export class Submitter {
  readonly #options: SubmitterOptions;
  readonly #backoff: BackoffPolicy;
  readonly #spanExport: SpanExport | null;
  #failures = 0;
  #maxCount = MAX_BATCH_MEASUREMENTS;

  constructor(options: SubmitterOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#spanExport = options.spanExport === undefined ? submitSpanExport() : options.spanExport;
  }

  /**
   * Submits until `signal` aborts, sleeping while the spool is empty or the collector is away. A
   * request in flight is cut only when `requestSignal` aborts (after the shutdown grace period).
   */
  async run(signal: AbortSignal, requestSignal: AbortSignal = signal): Promise<void> {
    while (!signal.aborted) {
      await this.#options.spool.waitForPending(signal);
      if (signal.aborted) return;
      const outcome = await this.submitOnce(requestSignal);
      if (outcome.kind === 'retry') await sleepUnlessAborted(outcome.delayMs, signal);
    }
  }

  /** One attempt: the next batch from the spool to the collector. */
  async submitOnce(signal?: AbortSignal): Promise<SubmitOutcome> {
    const prepared = await this.#prepareBatch();
    if (prepared === null) return { kind: 'idle' };
    const { batch, body, drops } = prepared;
    if (batch.lines.length === 0) {
      // Only damaged lines: nothing to send, but they must not block the spool.
      await this.#options.spool.acknowledge(batch.end, null);
      return { kind: 'delivered', measurements: 0 };
    }
    const span = startSubmitSpan(this.#spanExport, this.#options.logger);
    const response = await callCollector(this.#options.collectorUrl, {
      method: 'POST',
      path: '/v1/measurements',
      body,
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        traceparent: span.traceparent,
      },
      signAs: this.#options.caller,
      signal,
    });
    span.end(response.status, batch.lines.length);
    if (!response.ok) return this.#failed(response, batch);
    const result = SubmissionResult.safeParse(response.body);
    if (!result.success) {
      return this.#failed(
        {
          ok: false,
          status: response.status,
          code: 'bad_response',
          message: 'the collector answered 2xx without a submission result',
          retryAfterMs: null,
        },
        batch,
      );
    }
    await this.#options.rejectedLog.record(
      result.data.rejected.map((rejected) => ({
        line: batch.lines[rejected.index] ?? 'null',
        batchId: result.data.batch_id,
        errors: rejected.errors,
      })),
    );
    await this.#options.spool.acknowledge(batch.end, drops);
    this.#failures = 0;
    this.#maxCount = MAX_BATCH_MEASUREMENTS;
    await this.#options.status.submitted(batch.lines.length);
    this.#options.logger.info(
      {
        batchId: result.data.batch_id,
        accepted: result.data.accepted.length,
        duplicates: result.data.duplicates.length,
        rejected: result.data.rejected.length,
        spoolDropped: drops?.count ?? 0,
      },
      'batch delivered',
    );
    if (result.data.rejected.length > 0) {
      this.#options.logger.warn(
        { rejected: result.data.rejected.length, file: this.#options.rejectedLog.dir },
        'collector rejected measurements',
      );
    }
    return { kind: 'delivered', measurements: batch.lines.length };
  }

  /** The next batch and its gzip body, halved until the body fits the wire limit. */
  async #prepareBatch(): Promise<{ batch: SpoolBatch; body: Buffer; drops: SpoolDrops | null } | null> {
    let maxCount = this.#maxCount;
    for (;;) {
      const batch = await this.#options.spool.nextBatch(maxCount, MAX_BATCH_JSON_BYTES);
      if (batch === null) return null;
      const drops = this.#options.spool.droppedReport();
      const body = gzipSync(batchJson(batch.lines, drops, this.#options.caller.privateKey));
      if (body.length <= MAX_BATCH_WIRE_BYTES || batch.lines.length <= 1) return { batch, body, drops };
      maxCount = Math.ceil(batch.lines.length / 2);
    }
  }

  async #failed(
    response: Extract<CollectorResponse, { ok: false }>,
    batch: SpoolBatch,
  ): Promise<SubmitOutcome> {
    const { logger, status } = this.#options;
    if (response.status === 413 && batch.lines.length > 1) {
      // The collector's limit is below ours: send smaller batches from now on.
      this.#maxCount = Math.max(1, Math.ceil(batch.lines.length / 2));
      return { kind: 'retry', delayMs: 0, reason: response.message };
    }
    if (response.status === 413) {
      // One measurement larger than the collector accepts can never be delivered; keep it for the operator.
      await this.#options.rejectedLog.record([
        { line: batch.lines[0] ?? 'null', batchId: null, errors: [{ path: '', message: response.message }] },
      ]);
      await this.#options.spool.acknowledge(batch.end, null);
      return { kind: 'delivered', measurements: 0 };
    }
    this.#failures++;
    const delayMs =
      response.status === 403 && response.code === 'agent_revoked'
        ? REVOKED_RETRY_MS
        : (response.retryAfterMs ?? backoffDelay(this.#failures, this.#backoff, this.#options.random));
    logger.warn(
      {
        status: response.status,
        code: response.code,
        retryInMs: Math.round(delayMs),
        pending: this.#options.spool.stats().pendingMeasurements,
      },
      'batch not delivered',
    );
    await status.error('submit', `${response.code}: ${response.message}`);
    return { kind: 'retry', delayMs, reason: response.message };
  }
}

/**
 * The SubmissionBatch JSON built from spooled lines as they are, with each measurement's own signature
 * (over its canonical JSON, so it is checkable without the batch: docs/methodology.md).
 */
function batchJson(lines: readonly string[], drops: SpoolDrops | null, privateKey: KeyObject): string {
  const dropped = drops === null ? '' : `,"spool_dropped":${JSON.stringify(drops)}`;
  const signatures = lines.map((line) => JSON.stringify(signMeasurement(JSON.parse(line), privateKey)));
  return `{"measurements":[${lines.join(',')}],"signatures":[${signatures.join(',')}]${dropped}}`;
}
