import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listSegmentSequences, segmentFileName } from './segment-file.ts';
import { pendingLines, type SegmentCount, SPOOL_STATE_FILE, type SpoolDrops } from './spool.ts';
import { readSpoolState } from './spool-state.ts';

export interface SpoolInspection {
  pendingMeasurements: number;
  bytesOnDisk: number;
  segments: number;
  dropped: SpoolDrops | null;
}

/**
 * The spool's depth without opening it: changes nothing on disk, so `status` is safe while the agent
 * runs. A torn line an append is writing right now may count once; the running agent never sends it.
 */
export async function inspectSpool(dir: string): Promise<SpoolInspection> {
  let sequences: number[];
  try {
    sequences = await listSegmentSequences(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { pendingMeasurements: 0, bytesOnDisk: 0, segments: 0, dropped: null };
    }
    throw error;
  }
  const state = await readSpoolState(join(dir, SPOOL_STATE_FILE));
  const segments: SegmentCount[] = [];
  for (const sequence of sequences) {
    if (sequence < state.cursor.segment || sequence <= state.dropped.through_segment) continue;
    const path = join(dir, segmentFileName(sequence));
    try {
      const content = await readFile(path);
      segments.push({
        sequence,
        lines: content.filter((byte) => byte === 0x0a).length,
        bytes: (await stat(path)).size,
      });
    } catch (error) {
      // Delivered and deleted by the running agent between the listing and the read.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  const { count, since } = state.dropped;
  return {
    pendingMeasurements: pendingLines(segments, state.cursor),
    bytesOnDisk: segments.reduce((sum, segment) => sum + segment.bytes, 0),
    segments: segments.length,
    dropped: count > 0 && since !== null ? { count, since } : null,
  };
}
