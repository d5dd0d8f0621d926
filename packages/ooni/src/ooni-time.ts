/**
 * OONI writes times as "YYYY-MM-DD HH:MM:SS" in UTC (df-000-base); its API answers ISO 8601 with "Z".
 * Returns epoch milliseconds, or null when the text is neither.
 */
export function parseOoniTime(text: string): number | null {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(
    text.trim(),
  );
  if (match === null) return null;
  const millis = Date.parse(`${match[1]}T${match[2]}${match[3] ?? 'Z'}`);
  return Number.isNaN(millis) ? null : millis;
}

/** Epoch milliseconds as OONI's "YYYY-MM-DD HH:MM:SS" (UTC, whole seconds). */
export function formatOoniTime(millis: number): string {
  return new Date(millis).toISOString().slice(0, 19).replace('T', ' ');
}
