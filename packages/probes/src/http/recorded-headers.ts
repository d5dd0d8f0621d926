import type { IncomingHttpHeaders } from 'node:http';

/**
 * Response headers worth keeping: they identify middleboxes, caches and blockpage redirects
 * (OONI's fingerprints match on server, location, via and x-* headers) without storing cookies or
 * other personal data.
 */
export const RECORDED_RESPONSE_HEADERS = [
  'server',
  'location',
  'content-type',
  'content-length',
  'content-encoding',
  'via',
  'x-cache',
  'x-served-by',
  'x-powered-by',
  'cf-ray',
  'x-app-url',
] as const;

export function recordResponseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const recorded: Record<string, string> = {};
  for (const name of RECORDED_RESPONSE_HEADERS) {
    const value = headers[name];
    if (value === undefined) continue;
    recorded[name] = (Array.isArray(value) ? value.join(', ') : value).slice(0, 2000);
  }
  return recorded;
}
