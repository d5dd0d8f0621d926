import type { ScopeEvent, ScopeLevel, ScopeState, VerdictStatus } from '@reachmap/schema';
import type { ClassifiedMeasurement, SeriesPoint as StoredSeriesPoint } from '@reachmap/store';

/**
 * Response bodies of the API endpoints the dashboard reads (apps/api/src/routes, docs/api.md).
 * Type-only imports: the browser bundle carries no schema code, it trusts its own origin's API.
 */
export interface TargetSummary {
  id: string;
  name: string;
  kind: 'service' | 'control';
  control: 'domestic' | 'foreign' | null;
  country: string | null;
}

export interface TargetsResponse {
  targets: TargetSummary[];
}

export type MapEntry = ScopeState & { counts: Partial<Record<VerdictStatus, number>> };

export interface MapResponse {
  level: ScopeLevel;
  target: string;
  at: string;
  scopes: MapEntry[];
}

type Quantiles = StoredSeriesPoint['throughput'];

export type SeriesPoint = StoredSeriesPoint & { control_throughput: Quantiles };

export interface SeriesResponse {
  scope: string;
  target: string;
  /** The foreign control the throughput is compared with; null when the catalogue names none. */
  control: string | null;
  bucket: '5m' | '1h' | '1d';
  points: SeriesPoint[];
}

export interface EventsResponse {
  events: (ScopeEvent & { cursor: string })[];
  next_cursor: string;
  has_more: boolean;
}

export interface LatestEventsResponse {
  events: (ScopeEvent & { cursor: string })[];
}

export type OpenState = ScopeState & { witnesses: string[] };

export interface OpenStatesResponse {
  open: OpenState[];
}

export type MeasurementResponse = ClassifiedMeasurement;

export type { ScopeEvent, ScopeState };
