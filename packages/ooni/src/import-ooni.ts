import type { Measurement } from '@reachmap/schema';
import { type MappedMeasurement, mapOoniMeasurement } from './import/map-measurement.ts';
import { readOoniDocument } from './ooni-document.ts';
import { type OoniSource, type RecordOrigin, readOoniSource } from './read/read-ooni-source.ts';
import type { SkipKind, SkipReason } from './skip-reason.ts';

export interface ImportProgress {
  imported: number;
  skipped: number;
  elapsedSeconds: number;
  /** Records (imported or skipped) per second since the start. */
  ratePerSecond: number;
}

export interface SkippedRecord {
  origin: RecordOrigin;
  reason: SkipReason;
}

export interface ImportSummary {
  imported: number;
  skipped: number;
  skippedByKind: Partial<Record<SkipKind, number>>;
  /** The first skipped records, for the user to look at (all of them are counted). */
  skips: SkippedRecord[];
  /** OONI entries left out of otherwise imported measurements. */
  droppedEntries: number;
}

export interface ImportOptions {
  submit(measurements: Measurement[]): Promise<void>;
  onProgress?(progress: ImportProgress): void;
  /** Sees every imported measurement (the `--compare` tally uses it). */
  onImported?(imported: MappedMeasurement): void;
  /** A reason to refuse a mapped measurement (e.g. older than the store keeps), or null to import it. */
  refuse?(measurement: Measurement): SkipReason | null;
  batchSize?: number;
  progressIntervalMs?: number;
  now?(): number;
}

const DEFAULT_BATCH = 200;
const DEFAULT_PROGRESS_INTERVAL_MS = 1000;
const MAX_SKIPS_KEPT = 100;

/**
 * Reads OONI measurements from files, directories and streams, maps each to v1 and submits them in
 * batches. Malformed lines and unmappable measurements are skipped with their file, line and reason;
 * a failing `submit` is not swallowed: it rejects the import.
 */
export async function importOoni(
  sources: readonly OoniSource[],
  options: ImportOptions,
): Promise<ImportSummary> {
  const now = options.now ?? Date.now;
  const started = now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const interval = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const summary: ImportSummary = { imported: 0, skipped: 0, skippedByKind: {}, skips: [], droppedEntries: 0 };
  let batch: Measurement[] = [];
  let lastProgress = started;

  const progress = (): ImportProgress => {
    const elapsedSeconds = Math.max(0, (now() - started) / 1000);
    const records = summary.imported + summary.skipped;
    return {
      imported: summary.imported,
      skipped: summary.skipped,
      elapsedSeconds,
      ratePerSecond: elapsedSeconds > 0 ? records / elapsedSeconds : records,
    };
  };
  const skip = (origin: RecordOrigin, reason: SkipReason) => {
    summary.skipped += 1;
    summary.skippedByKind[reason.kind] = (summary.skippedByKind[reason.kind] ?? 0) + 1;
    if (summary.skips.length < MAX_SKIPS_KEPT) summary.skips.push({ origin, reason });
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const full = batch;
    batch = [];
    await options.submit(full);
    summary.imported += full.length;
  };

  for (const source of sources) {
    for await (const item of readOoniSource(source)) {
      if (item.kind === 'malformed') skip(item.origin, { kind: 'malformed_json', message: item.message });
      else if (item.kind === 'unreadable') skip(item.origin, { kind: 'unreadable', message: item.message });
      else {
        const document = readOoniDocument(item.value);
        if (document.kind === 'aggregation') {
          skip(item.origin, {
            kind: 'not_a_measurement',
            what: 'an /api/v1/aggregation response (counts, not measurements)',
          });
        } else if (document.kind === 'measurement') {
          const mapped = mapOoniMeasurement(document.raw, document.meta, document.pointer);
          const refusal = mapped.ok ? (options.refuse?.(mapped.measurement) ?? null) : null;
          if (!mapped.ok) skip(item.origin, mapped.reason);
          else if (refusal !== null) skip(item.origin, refusal);
          else {
            summary.droppedEntries += mapped.dropped.length;
            options.onImported?.(mapped);
            batch.push(mapped.measurement);
            if (batch.length >= batchSize) await flush();
          }
        } else {
          skip(item.origin, document);
        }
      }
      if (options.onProgress && now() - lastProgress >= interval) {
        lastProgress = now();
        options.onProgress(progress());
      }
    }
  }
  await flush();
  options.onProgress?.(progress());
  return summary;
}

export function formatProgress(progress: ImportProgress): string {
  return (
    `ooni import: ${progress.imported} imported, ${progress.skipped} skipped, ` +
    `${Math.round(progress.ratePerSecond)} records/s, ${progress.elapsedSeconds.toFixed(1)} s`
  );
}
