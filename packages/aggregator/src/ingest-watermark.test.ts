import { describe, expect, it } from 'vitest';
import { WindowHold } from './ingest-watermark.ts';

const WINDOW = 60_000;
const GRACE = 15_000;
const LATENESS = 60_000;
const at = (minutes: number, seconds = 0) => minutes * WINDOW + seconds * 1_000;
const newHold = (lateness = LATENESS) => new WindowHold(WINDOW, GRACE, lateness, 4);

describe('WindowHold', () => {
  it('releases the last due window when nothing accepted is waiting', () => {
    expect(newHold().readyEnd(at(10, 16), null)).toBe(at(10));
    expect(newHold().readyEnd(at(10, 14), null)).toBe(at(9));
  });

  it('holds a due window while a batch accepted before it was due is not counted', () => {
    // Window 9-10 is due at 10:15; a batch accepted at 10:14 (a round of that window) still queued.
    expect(newHold().readyEnd(at(10, 20), at(10, 14))).toBe(at(9));
    // Accepted exactly when the window was due: it may belong to the window, so it holds it too.
    expect(newHold().readyEnd(at(10, 20), at(10, 15))).toBe(at(9));
    // Accepted after the window was due: late for it anyway, so it holds nothing back.
    expect(newHold().readyEnd(at(10, 20), at(10, 16))).toBe(at(10));
  });

  it('holds every window due after the oldest waiting batch, in order', () => {
    // Three minutes behind: windows ending 8:00, 9:00 and 10:00 are due, only 7:00 is complete.
    const hold = newHold();
    expect(hold.readyEnd(at(10, 20), at(7, 30))).toBe(at(7));
    // The backlog drains up to 9:30: 8:00 and 9:00 are complete, 10:00 still waits.
    expect(hold.readyEnd(at(10, 30), at(9, 30))).toBe(at(9));
    expect(hold.readyEnd(at(10, 40), null)).toBe(at(10));
  });

  it('waits no longer than the lateness from the pass that first found the window held', () => {
    const hold = newHold();
    // An aggregator back from downtime at 10:20 finds windows 8:00-10:00 due and their batches queued:
    // however old they are, it gives the backlog the lateness from now.
    expect(hold.readyEnd(at(10, 20), at(7, 30))).toBe(at(7));
    expect(hold.readyEnd(at(11, 19), at(7, 30))).toBe(at(7));
    // A minute later the backlog has not moved: those windows are judged on what was counted. 11:00,
    // first found due at 11:20, still waits.
    expect(hold.readyEnd(at(11, 20), at(7, 30))).toBe(at(10));
    expect(hold.readyEnd(at(12, 20), at(7, 30))).toBe(at(11));
  });

  it('does not hold at all with no lateness', () => {
    expect(newHold(0).readyEnd(at(10, 20), at(7, 30))).toBe(at(10));
  });

  it('never goes past the windows due now, whatever the queue says', () => {
    expect(newHold().readyEnd(at(10, 20), at(12))).toBe(at(10));
  });
});
