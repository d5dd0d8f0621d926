export type HttpMethod = 'GET' | 'POST' | 'HEAD';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export type RedirectDecision =
  | { kind: 'none' }
  | { kind: 'invalid' }
  | { kind: 'follow'; url: URL; method: HttpMethod; keepBody: boolean };

/**
 * Where a response sends us next, per RFC 9110 §15.4: 307/308 repeat the request as is; 303 turns
 * it into GET; 301/302 turn POST into GET as every browser does. A Location that does not parse or
 * leaves http(s) is `invalid` (OONI's http_invalid_redirect).
 */
export function decideRedirect(
  status: number,
  location: string | undefined,
  current: URL,
  method: HttpMethod,
): RedirectDecision {
  if (!REDIRECT_STATUSES.has(status) || location === undefined) return { kind: 'none' };
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    return { kind: 'invalid' };
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') return { kind: 'invalid' };
  if (status === 307 || status === 308) return { kind: 'follow', url: next, method, keepBody: true };
  const becomesGet = status === 303 ? method !== 'HEAD' : method === 'POST';
  return { kind: 'follow', url: next, method: becomesGet ? 'GET' : method, keepBody: false };
}
