import { describe, expect, it } from 'vitest';
import { readyWindowEnd } from './ingest-watermark.ts';

const WINDOW = 60_000;
const GRACE = 15_000;
const LATENESS = 60_000;
const at = (minutes: number, seconds = 0) => minutes * WINDOW + seconds * 1_000;

describe('readyWindowEnd', () => {
  it('is the last due window when nothing accepted is waiting', () => {
    expect(readyWindowEnd(at(10, 16), null, WINDOW, GRACE, LATENESS)).toBe(at(10));
    expect(readyWindowEnd(at(10, 14), null, WINDOW, GRACE, LATENESS)).toBe(at(9));
  });

  it('holds a due window while a batch accepted before it was due is not counted', () => {
    // Window 9-10 is due at 10:15; a batch accepted at 10:14 (a round of that window) still queued.
    expect(readyWindowEnd(at(10, 20), at(10, 14), WINDOW, GRACE, LATENESS)).toBe(at(9));
    // Accepted exactly when the window was due: it may belong to the window, so it holds it too.
    expect(readyWindowEnd(at(10, 20), at(10, 15), WINDOW, GRACE, LATENESS)).toBe(at(9));
    // Accepted after the window was due: late for it anyway, so it holds nothing back.
    expect(readyWindowEnd(at(10, 20), at(10, 16), WINDOW, GRACE, LATENESS)).toBe(at(10));
  });

  it('holds every window due after the oldest waiting batch', () => {
    // Behind by three minutes, with a lateness of five windows: windows ending 8:00, 9:00 and 10:00
    // are due but only 7:00 is complete.
    expect(readyWindowEnd(at(10, 20), at(7, 30), WINDOW, GRACE, 5 * WINDOW)).toBe(at(7));
  });

  it('waits no longer than the watermark, end + grace + lateness', () => {
    expect(readyWindowEnd(at(11, 15), at(7, 30), WINDOW, GRACE, LATENESS)).toBe(at(10));
    expect(readyWindowEnd(at(11, 14), at(7, 30), WINDOW, GRACE, LATENESS)).toBe(at(9));
  });

  it('never goes past the windows due now, whatever the queue says', () => {
    expect(readyWindowEnd(at(10, 20), at(12), WINDOW, GRACE, LATENESS)).toBe(at(10));
  });
});
