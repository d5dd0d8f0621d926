import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileDurably } from './durable-file.ts';

/**
 * Everything the spool must remember besides the segments, in one file replaced atomically, so the
 * delivery cursor and the drop counter can never disagree after a crash.
 */
export const SpoolState = z.object({
  /** Every line before this point has been answered 202 by the collector. */
  cursor: z.object({ segment: z.number().int().min(0), line: z.number().int().min(0) }),
  dropped: z.object({
    /** Undelivered measurements dropped because the spool was full, not yet reported to the collector. */
    count: z.number().int().min(0),
    since: z.iso.datetime({ offset: true }).nullable(),
    /** Segments up to this one were dropped; one still on disk is a delete a crash interrupted. */
    through_segment: z.number().int().min(0),
  }),
});
export type SpoolState = z.infer<typeof SpoolState>;

export type SpoolCursor = SpoolState['cursor'];

export const INITIAL_SPOOL_STATE: SpoolState = {
  cursor: { segment: 0, line: 0 },
  dropped: { count: 0, since: null, through_segment: 0 },
};

export class SpoolStateCorruptError extends Error {
  override readonly name = 'SpoolStateCorruptError';
}

export async function readSpoolState(path: string): Promise<SpoolState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return INITIAL_SPOOL_STATE;
    throw error;
  }
  // The file is only ever replaced by rename, so anything unreadable is damage from outside the agent.
  const parsed = SpoolState.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new SpoolStateCorruptError(
      `${path} is not a valid spool state; move it away to re-deliver the whole spool`,
    );
  }
  return parsed.data;
}

export function writeSpoolState(path: string, state: SpoolState): Promise<void> {
  return writeFileDurably(path, `${JSON.stringify(state)}\n`);
}

export function compareCursors(a: SpoolCursor, b: SpoolCursor): number {
  return a.segment === b.segment ? a.line - b.line : a.segment - b.segment;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
