/**
 * What a deep link restores, kept in the location hash so the static page needs no server routes:
 * `#target=whatsapp&scope=RU-MOW&at=2026-11-23T10:00:00Z&measurement=<uuid>&range=30d`.
 */
export interface UrlState {
  target: string | null;
  /** A country, region or ASN scope key; a country opens its country view. */
  scope: string | null;
  /** ISO time the map shows; null for now (and live updates). */
  at: string | null;
  measurement: string | null;
  range: TimelineRange;
}

export const TIMELINE_RANGES = ['24h', '7d', '30d', '365d'] as const;
export type TimelineRange = (typeof TIMELINE_RANGES)[number];

function isRange(value: string | null): value is TimelineRange {
  return (TIMELINE_RANGES as readonly string[]).includes(value ?? '');
}

export function parseUrlState(hash: string): UrlState {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const at = params.get('at');
  const range = params.get('range');
  return {
    target: params.get('target') || null,
    scope: params.get('scope') || null,
    at: at !== null && !Number.isNaN(Date.parse(at)) ? new Date(at).toISOString() : null,
    measurement: params.get('measurement') || null,
    range: isRange(range) ? range : '30d',
  };
}

export function formatUrlState(state: UrlState): string {
  const params = new URLSearchParams();
  if (state.target !== null) params.set('target', state.target);
  if (state.scope !== null) params.set('scope', state.scope);
  if (state.at !== null) params.set('at', state.at);
  if (state.measurement !== null) params.set('measurement', state.measurement);
  if (state.range !== '30d') params.set('range', state.range);
  return `#${params}`;
}
