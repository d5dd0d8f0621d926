import type { ScopeStateName, VerdictStatus } from '@reachmap/schema';

export type MapFill = ScopeStateName | 'nodata';

/** Legend order: what a reader looks for first (interference), then the rest. */
export const LEGEND_ORDER: readonly MapFill[] = [
  'blocked',
  'throttled',
  'stalled',
  'partial',
  'accessible',
  'outage',
  'insufficient',
  'nodata',
];

// Hues kept apart for the common colour-vision deficiencies (ColorBrewer RdBu/PuOr ends plus greys);
// the legend and every aria-label name the state too, so colour is never the only carrier.
export const STATE_COLOURS: Readonly<Record<MapFill, string>> = {
  blocked: '#b2182b',
  throttled: '#e66101',
  stalled: '#5e3c99',
  partial: '#f4a582',
  accessible: '#4dac26',
  outage: '#252525',
  insufficient: '#969696',
  nodata: '#e8e8e8',
};

export const STATE_LABELS: Readonly<Record<MapFill, string>> = {
  blocked: 'blocked',
  throttled: 'throttled',
  stalled: 'stalled',
  partial: 'partial',
  accessible: 'accessible',
  outage: 'outage',
  insufficient: 'insufficient',
  nodata: 'no data',
};

export const VERDICT_COLOURS: Readonly<Record<VerdictStatus, string>> = {
  ok: STATE_COLOURS.accessible,
  blocked: STATE_COLOURS.blocked,
  throttled: STATE_COLOURS.throttled,
  stalled: STATE_COLOURS.stalled,
  down: STATE_COLOURS.outage,
  error: '#b8860b',
  insufficient: STATE_COLOURS.insufficient,
};
