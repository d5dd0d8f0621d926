/**
 * Evaluation windows are aligned to multiples of the window length (UTC epoch), like rollup buckets, so
 * every process agrees on them. A window is evaluated `graceMs` after it ends, for late submissions.
 */
export function lastClosedWindowEnd(nowMs: number, windowMs: number, graceMs: number): number {
  return Math.floor((nowMs - graceMs) / windowMs) * windowMs;
}

/**
 * Ends of the windows still to evaluate after `lastEvaluatedEnd` (null: never evaluated), oldest first,
 * at most `catchUp` of them: after a long pause the evaluator skips to recent windows.
 */
export function pendingWindowEnds(
  lastEvaluatedEnd: number | null,
  closedEnd: number,
  windowMs: number,
  catchUp: number,
): number[] {
  const earliest = closedEnd - (catchUp - 1) * windowMs;
  const afterLast =
    lastEvaluatedEnd === null ? earliest : Math.ceil((lastEvaluatedEnd + 1) / windowMs) * windowMs;
  const ends: number[] = [];
  for (let end = Math.max(earliest, afterLast); end <= closedEnd; end += windowMs) ends.push(end);
  return ends;
}

/**
 * How long the newest due window has waited, past its due time (end + grace), for an evaluation pass
 * that covers it: 0 while passes keep up. Before the first pass the wait counts from the start, so a
 * fresh process is not reported as hours behind.
 */
export function evaluationLagMs(
  nowMs: number,
  evaluatedEnd: number | null,
  startedAtMs: number,
  windowMs: number,
  graceMs: number,
): number {
  const due = lastClosedWindowEnd(nowMs, windowMs, graceMs);
  if (evaluatedEnd !== null && evaluatedEnd >= due) return 0;
  return Math.max(0, nowMs - Math.max(due + graceMs, startedAtMs));
}
