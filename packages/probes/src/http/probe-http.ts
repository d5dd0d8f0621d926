import { isIP } from 'node:net';
import type { HttpExchange } from '@reachmap/schema';
import { createDeadline, type Deadline } from '../deadline.ts';
import { resolveWithSystem } from '../dns/probe-dns.ts';
import { type ProbeNetwork, probeNetworkOf } from '../network/probe-network.ts';
import type { ProbeContext } from '../probe-options.ts';
import { BLOCKPAGE_FINGERPRINTS, type BlockpageFingerprint } from './blockpage.ts';
import { DEFAULT_USER_AGENT, type ExchangeRequest, performExchange } from './exchange.ts';
import { decideRedirect, type HttpMethod } from './redirect.ts';

export interface HttpProbeRequest {
  url: string;
  method?: HttpMethod;
  body?: Buffer | string;
  /** Extra request headers; Host, User-Agent and Accept have defaults. */
  headers?: Record<string, string>;
}

export interface HttpProbeOptions {
  /**
   * Connect to this IP instead of resolving the URL's host; Host and SNI stay the URL's. Applies to
   * every hop on the same host; redirects to other hosts use normal resolution.
   */
  connectIp?: string;
  /** Extra trust anchors in PEM (the lab CA). Certificate errors fail the exchange (ssl_*). */
  ca?: string | string[];
  /** Default 10, like browsers and OONI's web_connectivity. */
  maxRedirects?: number;
  /** Default 1 MiB; beyond it the body is cut and `body_truncated` set. */
  bodyCapBytes?: number;
  fingerprints?: readonly BlockpageFingerprint[];
  /**
   * Budget for each hop's connection and TLS handshake, within the whole probe's `timeoutMs`; unset:
   * only `timeoutMs` bounds them. A hop that gets no connection in time fails with `generic_timeout_error`.
   */
  connectTimeoutMs?: number;
}

export const DEFAULT_MAX_REDIRECTS = 10;
export const DEFAULT_BODY_CAP_BYTES = 1024 * 1024;

/**
 * Fetches a URL and follows redirects by hand, recording every hop as an `HttpExchange`.
 * `context.timeoutMs` bounds the whole chain. Never throws for a network failure.
 */
export async function probeHttp(
  request: HttpProbeRequest,
  options: HttpProbeOptions,
  context: ProbeContext,
): Promise<HttpExchange[]> {
  const deadline = createDeadline(context.timeoutMs, context.signal);
  const originalHost = new URL(request.url).host;
  const maxRedirects = Math.min(options.maxRedirects ?? DEFAULT_MAX_REDIRECTS, 20);
  const exchanges: HttpExchange[] = [];
  const network = probeNetworkOf(context);

  let url = new URL(request.url);
  let method: HttpMethod = request.method ?? 'GET';
  let body = request.body === undefined ? null : Buffer.from(request.body);
  for (let hop = 0; hop <= maxRedirects; hop += 1) {
    const pinnedIp = url.host === originalHost ? (options.connectIp ?? null) : null;
    const resolved = pinnedIp === null ? await resolveThroughNetwork(url, network, deadline) : null;
    const exchangeRequest: ExchangeRequest = {
      url,
      method,
      body,
      connectIp: pinnedIp ?? (resolved?.ok === true ? resolved.ip : null),
      headers: {
        host: url.host,
        'user-agent': DEFAULT_USER_AGENT,
        accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
        ...(body === null ? {} : { 'content-length': String(body.length) }),
        ...request.headers,
      },
    };
    if (resolved?.ok === false) {
      const t = context.clock.seconds();
      exchanges.push({
        hop,
        request: { method, url: url.href, headers: exchangeRequest.headers },
        response: null,
        failure: resolved.failure,
        t0: t,
        t,
      });
      break;
    }
    const { exchange, location } = await performExchange(exchangeRequest, {
      clock: context.clock,
      deadline,
      hop,
      bodyCapBytes: options.bodyCapBytes ?? DEFAULT_BODY_CAP_BYTES,
      ca: options.ca,
      fingerprints: options.fingerprints ?? BLOCKPAGE_FINGERPRINTS,
      network,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    exchanges.push(exchange);
    if (exchange.response === null || exchange.failure !== null) break;
    const redirect = decideRedirect(exchange.response.status, location, url, method);
    if (redirect.kind === 'none') break;
    if (redirect.kind === 'invalid') {
      exchange.failure = 'http_invalid_redirect';
      break;
    }
    url = redirect.url;
    method = redirect.method;
    if (!redirect.keepBody) body = null;
  }
  return exchanges;
}

type Resolution = { ok: true; ip: string } | { ok: false; failure: NonNullable<HttpExchange['failure']> };

/**
 * With a `systemResolver` in the probe network, a URL's name is resolved through it (getaddrinfo
 * would miss the lab's zone); null: resolve as usual.
 */
async function resolveThroughNetwork(
  url: URL,
  network: ProbeNetwork,
  deadline: Deadline,
): Promise<Resolution | null> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (network.systemResolver === undefined || isIP(hostname) !== 0) return null;
  const outcome = await resolveWithSystem({ hostname, type: 'A' }, deadline, network);
  const ip = outcome.answers.find((answer) => answer.type === 'A')?.value;
  if (ip !== undefined) return { ok: true, ip };
  return { ok: false, failure: outcome.failure ?? 'dns_no_answer' };
}
