import type { Measurement } from '@reachmap/schema';
import type { MappedMeasurement } from './import/map-measurement.ts';
import { mapRecord, type RawRecord } from './import/map-record.ts';
import type { DroppedEntry } from './import/observations.ts';
import {
  MAX_RECORD_CHARS,
  type OoniSource,
  type RecordOrigin,
  readOoniSource,
} from './read/read-ooni-source.ts';
import type { SkipKind, SkipReason } from './skip-reason.ts';

export interface ImportProgress {
  imported: number;
  skipped: number;
  elapsedSeconds: number;
  /** Records (imported or skipped) per second since the start. */
  ratePerSecond: number;
  /** Bytes read from the inputs (compressed size for .gz), and their total when known. */
  bytesRead: number;
  totalBytes: number | null;
}

export interface SkippedRecord {
  origin: RecordOrigin;
  reason: SkipReason;
}

/** What one input file (or stream) gave: the `--report` lists one per file. */
export interface FileResult {
  file: string;
  imported: number;
  skipped: number;
  skippedByKind: Partial<Record<SkipKind, number>>;
  /** The first skipped records of this file (all are counted). */
  skips: SkippedRecord[];
  /** OONI entries left out of otherwise imported measurements, the first of them listed. */
  droppedEntries: number;
  dropped: Array<DroppedEntry & { line: number | null }>;
}

export interface ImportSummary {
  imported: number;
  skipped: number;
  skippedByKind: Partial<Record<SkipKind, number>>;
  /** The first skipped records, for the user to look at (all of them are counted). */
  skips: SkippedRecord[];
  /** OONI entries left out of otherwise imported measurements. */
  droppedEntries: number;
  files: FileResult[];
}

export interface ImportOptions {
  submit(measurements: Measurement[]): Promise<void>;
  onProgress?(progress: ImportProgress): void;
  /** Sees every imported measurement with the file it came from (the `--compare` tally uses it). */
  onImported?(imported: MappedMeasurement, origin: RecordOrigin): void;
  /** A reason to refuse a mapped measurement (e.g. older than the store keeps), or null to import it. */
  refuse?(measurement: Measurement): SkipReason | null;
  /** Sum of the input sizes, for a progress bar. */
  totalBytes?: number | null;
  batchSize?: number;
  /** The longest line or JSON value taken as one record (default `MAX_RECORD_CHARS`); longer ones are skipped. */
  maxRecordChars?: number;
  progressIntervalMs?: number;
  now?(): number;
}

const DEFAULT_BATCH = 200;
const DEFAULT_PROGRESS_INTERVAL_MS = 1000;
const MAX_SKIPS_KEPT = 100;
const MAX_PER_FILE_LISTED = 1000;

function emptyFileResult(file: string): FileResult {
  return { file, imported: 0, skipped: 0, skippedByKind: {}, skips: [], droppedEntries: 0, dropped: [] };
}

/**
 * Reads OONI measurements from files, directories and streams, maps each to v1 and submits them in
 * batches. Malformed lines and unmappable or implausible measurements (dated in the future, from no
 * country) are skipped with their file, line and reason; a failing `submit` is not swallowed: it
 * rejects the import.
 */
export async function importOoni(
  sources: readonly OoniSource[],
  options: ImportOptions,
): Promise<ImportSummary> {
  const now = options.now ?? Date.now;
  const started = now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const interval = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const summary: ImportSummary = {
    imported: 0,
    skipped: 0,
    skippedByKind: {},
    skips: [],
    droppedEntries: 0,
    files: [],
  };
  const files = new Map<string, FileResult>();
  let batch: Measurement[] = [];
  let accepted = 0;
  let bytesRead = 0;
  let lastProgress = started;

  const fileResult = (file: string) => {
    let result = files.get(file);
    if (result === undefined) {
      result = emptyFileResult(file);
      files.set(file, result);
      summary.files.push(result);
    }
    return result;
  };
  const progress = (): ImportProgress => {
    const elapsedSeconds = Math.max(0, (now() - started) / 1000);
    const records = accepted + summary.skipped;
    return {
      imported: accepted,
      skipped: summary.skipped,
      elapsedSeconds,
      ratePerSecond: elapsedSeconds > 0 ? records / elapsedSeconds : records,
      bytesRead,
      totalBytes: options.totalBytes ?? null,
    };
  };
  const skip = (origin: RecordOrigin, reason: SkipReason) => {
    summary.skipped += 1;
    summary.skippedByKind[reason.kind] = (summary.skippedByKind[reason.kind] ?? 0) + 1;
    if (summary.skips.length < MAX_SKIPS_KEPT) summary.skips.push({ origin, reason });
    const file = fileResult(origin.file);
    file.skipped += 1;
    file.skippedByKind[reason.kind] = (file.skippedByKind[reason.kind] ?? 0) + 1;
    if (file.skips.length < MAX_PER_FILE_LISTED) file.skips.push({ origin, reason });
  };
  const accept = (origin: RecordOrigin, mapped: MappedMeasurement) => {
    accepted += 1;
    summary.droppedEntries += mapped.dropped.length;
    const file = fileResult(origin.file);
    file.imported += 1;
    file.droppedEntries += mapped.dropped.length;
    for (const entry of mapped.dropped) {
      if (file.dropped.length < MAX_PER_FILE_LISTED) file.dropped.push({ ...entry, line: origin.line });
    }
    options.onImported?.(mapped, origin);
    batch.push(mapped.measurement);
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const full = batch;
    batch = [];
    await options.submit(full);
    summary.imported += full.length;
  };

  const records = async function* (): AsyncGenerator<RawRecord> {
    const limits = { maxRecordChars: options.maxRecordChars ?? MAX_RECORD_CHARS };
    const countBytes = (bytes: number) => {
      bytesRead += bytes;
    };
    for (const source of sources) {
      for await (const item of readOoniSource(source, countBytes, limits)) {
        const { origin } = item;
        if (item.kind === 'document') yield { origin, value: item.value };
        else if (item.kind === 'text') yield { origin, text: item.text };
        else if (item.kind === 'malformed')
          yield { origin, reason: { kind: 'malformed_json', message: item.message } };
        else if (item.kind === 'too_large')
          yield { origin, reason: { kind: 'too_large', chars: item.chars, limit: item.limit } };
        else yield { origin, reason: { kind: item.kind, message: item.message } };
      }
    }
  };
  for await (const record of records()) {
    const outcome = mapRecord(record, now());
    const refusal =
      'mapped' in outcome ? (options.refuse?.(outcome.mapped.measurement) ?? null) : outcome.reason;
    if (refusal !== null) skip(outcome.origin, refusal);
    else if ('mapped' in outcome) {
      accept(outcome.origin, outcome.mapped);
      if (batch.length >= batchSize) await flush();
    }
    if (options.onProgress && now() - lastProgress >= interval) {
      lastProgress = now();
      options.onProgress(progress());
    }
  }
  await flush();
  options.onProgress?.(progress());
  return summary;
}

const BAR_WIDTH = 24;

/** One progress line; with a known total it starts with a bar and a percentage. */
export function formatProgress(progress: ImportProgress): string {
  const counts =
    `${progress.imported} imported, ${progress.skipped} skipped, ` +
    `${Math.round(progress.ratePerSecond)} records/s, ${progress.elapsedSeconds.toFixed(1)} s`;
  if (progress.totalBytes === null || progress.totalBytes <= 0) return `ooni import: ${counts}`;
  const share = Math.min(1, progress.bytesRead / progress.totalBytes);
  const filled = Math.round(share * BAR_WIDTH);
  return `ooni import [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}% ${counts}`;
}
