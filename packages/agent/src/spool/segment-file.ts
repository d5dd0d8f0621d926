import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Segments are append-only JSON-lines files named by a sequence number that only grows. */
const SEGMENT_NAME = /^segment-(\d{12})\.jsonl$/;

export function segmentFileName(sequence: number): string {
  return `segment-${String(sequence).padStart(12, '0')}.jsonl`;
}

export async function listSegmentSequences(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names
    .flatMap((name) => {
      const match = SEGMENT_NAME.exec(name);
      return match?.[1] === undefined ? [] : [Number(match[1])];
    })
    .sort((a, b) => a - b);
}

export interface RecoveredSegment {
  lines: number;
  bytes: number;
  /** Bytes cut from the end: a line whose append never completed, so it was never reported spooled. */
  tornBytes: number;
}

/**
 * Counts the complete lines of a segment and cuts an incomplete tail. An append ends with a newline
 * and reports success only after fsync, so a tail without one (or one that does not parse, when the
 * page cache wrote the end before the middle) belongs to an append that never returned.
 */
export async function recoverSegment(path: string): Promise<RecoveredSegment> {
  const content = await readFile(path);
  let keep = content.lastIndexOf(0x0a) + 1;
  while (keep > 0) {
    const previousEnd = content.lastIndexOf(0x0a, keep - 2) + 1;
    if (isJsonLine(content.subarray(previousEnd, keep - 1))) break;
    keep = previousEnd;
  }
  if (keep < content.length) {
    const handle = await open(path, 'r+');
    try {
      await handle.truncate(keep);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  return { lines: countNewlines(content.subarray(0, keep)), bytes: keep, tornBytes: content.length - keep };
}

export interface SegmentLine {
  /** Index of the line in its segment. */
  index: number;
  text: string;
}

/** The first `lineCount` lines of a segment from `fromLine` on; lines that do not parse come back as null. */
export async function readSegmentLines(
  dir: string,
  sequence: number,
  fromLine: number,
  lineCount: number,
): Promise<(SegmentLine | null)[]> {
  const content = await readFile(join(dir, segmentFileName(sequence)), 'utf8');
  const lines = content.split('\n').slice(0, lineCount);
  const result: (SegmentLine | null)[] = [];
  for (let index = fromLine; index < lines.length; index++) {
    const text = lines[index] ?? '';
    result.push(isJsonLine(Buffer.from(text)) ? { index, text } : null);
  }
  return result;
}

function isJsonLine(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) if (byte === 0x0a) count++;
  return count;
}
