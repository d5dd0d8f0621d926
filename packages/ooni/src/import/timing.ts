/** Our timings must lie in [0, 1 day]; older OONI entries have only `t` (the end) or nothing. */
const MAX_SECONDS = 86_400;

function clamp(seconds: number): number {
  return Math.min(MAX_SECONDS, Math.max(0, seconds));
}

export function timingOf(entry: { t0?: number | null; t?: number | null }): { t0: number; t: number } {
  const t = clamp(entry.t ?? entry.t0 ?? 0);
  return { t0: Math.min(t, clamp(entry.t0 ?? t)), t };
}
