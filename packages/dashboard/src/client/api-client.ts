import type {
  EventsResponse,
  LatestEventsResponse,
  MapResponse,
  MeasurementResponse,
  OpenStatesResponse,
  SeriesResponse,
  TargetSummary,
  TargetsResponse,
} from './api-types.ts';

/** A failed API call, carrying the API's own message so the page can show what went wrong. */
export class ApiRequestError extends Error {
  readonly status: number;
  constructor(path: string, status: number, detail: string) {
    super(`${path}: ${status} ${detail}`);
    this.name = 'ApiRequestError';
    this.status = status;
  }
}

async function getJson<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') query.set(name, value);
  const url = query.size === 0 ? path : `${path}?${query}`;
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    const body = await response.text();
    let detail = body.slice(0, 300);
    try {
      detail = JSON.parse(body)?.error?.message ?? detail;
    } catch {
      // Not JSON (a proxy's error page): the text itself is the detail.
    }
    throw new ApiRequestError(path, response.status, detail);
  }
  return (await response.json()) as T;
}

export async function fetchTargets(): Promise<TargetSummary[]> {
  return (await getJson<TargetsResponse>('/v1/targets')).targets;
}

export async function fetchMap(request: {
  target: string;
  level: 'country' | 'region' | 'asn';
  /** Only this country's regions or the ASNs seen in it. */
  country?: string;
  at?: string;
}): Promise<MapResponse> {
  return await getJson<MapResponse>('/v1/map', request);
}

export async function fetchSeries(request: {
  scope: string;
  target: string;
  from: string;
  to: string;
  bucket: '5m' | '1h' | '1d';
}): Promise<SeriesResponse> {
  return await getJson<SeriesResponse>('/v1/series', request);
}

export async function fetchEvents(request: {
  scope?: string;
  /** The scope and its sub-scopes (a country's regions and networks). */
  within?: string;
  target?: string;
  from?: string;
  to?: string;
  limit?: number;
}): Promise<EventsResponse> {
  const { limit, ...rest } = request;
  return await getJson<EventsResponse>('/v1/events', { ...rest, limit: limit?.toString() });
}

/** The latest events, newest first. */
export async function fetchLatestEvents(limit: number): Promise<LatestEventsResponse> {
  return await getJson<LatestEventsResponse>('/v1/events/latest', { limit: limit.toString() });
}

/** The regions and networks whose interference is open now, newest first. */
export async function fetchOpenStates(): Promise<OpenStatesResponse> {
  return await getJson<OpenStatesResponse>('/v1/events/open');
}

export async function fetchMeasurement(id: string): Promise<MeasurementResponse> {
  return await getJson<MeasurementResponse>(`/v1/measurements/${encodeURIComponent(id)}`);
}
