const DAY_MS = 86_400_000;

/**
 * Names a dashboard request by what it is for, so the same call of every page load is grouped:
 * `GET /v1/map level=region`, `GET /v1/series 365 d of 1d`, `app JS`. Null for the live feed's
 * stream, which never finishes.
 */
export function requestKind(url: string, resourceType: string): string | null {
  const { pathname, searchParams } = new URL(url);
  if (pathname === '/v1/stream') return null;
  if (pathname === '/' || pathname === '/index.html') return 'page HTML';
  if (pathname.startsWith('/assets/regions-')) return 'region geometry JSON';
  if (pathname.startsWith('/assets/')) {
    if (resourceType === 'script') return 'app JS';
    if (resourceType === 'stylesheet') return 'app CSS';
    return 'country geometry JSON';
  }
  const span = (from: string | null, to: string | null) =>
    from === null || to === null ? '' : ` ${Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS)} d`;
  switch (pathname) {
    case '/v1/map':
      return `GET /v1/map level=${searchParams.get('level') ?? 'country'}`;
    case '/v1/series':
      return `GET /v1/series${span(searchParams.get('from'), searchParams.get('to'))} of ${searchParams.get('bucket') ?? '1h'}`;
    case '/v1/events':
      return `GET /v1/events${span(searchParams.get('from'), searchParams.get('to'))}`;
    default:
      return `GET ${pathname}`;
  }
}
