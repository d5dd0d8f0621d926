import { type Failure, MAX_SAMPLES_PER_RUN } from '@reachmap/schema';
import { createTransferMeter, type TransferStats } from './transfer-meter.ts';

/** The schema caps `samples` per run; later samples of a longer run are dropped. */
const MAX_SAMPLES = MAX_SAMPLES_PER_RUN;

export interface TransferLimits {
  maxBytes: number;
  maxDurationMs: number;
  stallTimeoutMs: number;
  sampleIntervalMs: number;
  signal?: AbortSignal;
}

export interface TransferOutcome extends TransferStats {
  samples: Array<[number, number]>;
  failure: Failure | null;
}

/** The driver-facing side of a transfer: report progress, then complete or fail once. */
export interface TransferSession {
  progress(newBytes: number): void;
  complete(): void;
  fail(failure: Failure): void;
  readonly done: Promise<TransferOutcome>;
}

/**
 * Times one transfer: samples cumulative bytes every `sampleIntervalMs`, and ends it when `maxBytes`
 * moved (completed), when `maxDurationMs` passed (not completed, no failure: the run was as long as
 * asked), or when no byte moved for `stallTimeoutMs` (`generic_timeout_error`, like OONI's read
 * timeout). A caller's abort is `interrupted`.
 */
export function createTransferSession(limits: TransferLimits): TransferSession {
  const startMs = performance.now();
  const elapsed = () => (performance.now() - startMs) / 1000;
  const meter = createTransferMeter();
  const samples: Array<[number, number]> = [[0, 0]];
  let settle: (outcome: TransferOutcome) => void = () => {};
  const done = new Promise<TransferOutcome>((resolve) => {
    settle = resolve;
  });
  let finished = false;

  const takeSample = (t: number) => {
    if (samples.length < MAX_SAMPLES) samples.push([Math.round(t * 1000) / 1000, meter.bytes]);
  };
  const end = (completed: boolean, failure: Failure | null) => {
    if (finished) return;
    finished = true;
    clearInterval(ticker);
    limits.signal?.removeEventListener('abort', onAbort);
    const t = elapsed();
    takeSample(t);
    settle({ ...meter.finish(t, completed), samples, failure });
  };
  const onAbort = () => end(false, 'interrupted');
  const ticker = setInterval(() => {
    const t = elapsed();
    takeSample(t);
    if (t * 1000 >= limits.maxDurationMs) end(false, null);
    else if ((t - meter.lastProgressAt) * 1000 >= limits.stallTimeoutMs) end(false, 'generic_timeout_error');
  }, limits.sampleIntervalMs);
  if (limits.signal?.aborted) onAbort();
  else limits.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    progress(newBytes) {
      if (finished) return;
      meter.record(elapsed(), newBytes);
      if (meter.bytes >= limits.maxBytes) end(true, null);
    },
    complete: () => end(true, null),
    fail: (failure) => end(false, failure),
    done,
  };
}
