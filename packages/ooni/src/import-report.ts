import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImportSummary } from './import-ooni.ts';
import { describeSkipReason } from './skip-reason.ts';

/** The `--report` document: totals, then one entry per input file with its skips and drops. */
export function importReport(summary: ImportSummary) {
  return {
    imported: summary.imported,
    skipped: summary.skipped,
    skipped_by_reason: summary.skippedByKind,
    dropped_entries: summary.droppedEntries,
    files: summary.files.map((file) => ({
      file: file.file,
      imported: file.imported,
      skipped: file.skipped,
      skipped_by_reason: file.skippedByKind,
      skips: file.skips.map((skip) => ({
        line: skip.origin.line,
        reason: skip.reason.kind,
        message: describeSkipReason(skip.reason),
      })),
      dropped_entries: file.droppedEntries,
      dropped: file.dropped,
    })),
  };
}

/** Sum of the sizes of the input paths (directories recursively), or null when one is a stream. */
export async function totalSizeOf(paths: readonly string[]): Promise<number | null> {
  if (paths.includes('-')) return null;
  let total = 0;
  for (const path of paths) total += await sizeOf(path);
  return total;
}

async function sizeOf(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) return info.size;
    let total = 0;
    for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
    return total;
  } catch {
    return 0; // a missing input is reported by the reader as unreadable
  }
}
