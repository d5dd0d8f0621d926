import { createHash } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { type Failure, type HttpExchange, mapNodeError } from '@reachmap/schema';
import type { MeasurementClock } from '../clock.ts';
import type { Deadline } from '../deadline.ts';
import { dialTarget, type ProbeNetwork } from '../network/probe-network.ts';
import { trustedBy } from '../tls/secure-contexts.ts';
import { type BlockpageFingerprint, matchBlockpage } from './blockpage.ts';
import { recordResponseHeaders } from './recorded-headers.ts';
import type { HttpMethod } from './redirect.ts';
import { extractTitle } from './title.ts';

/** A browser-like User-Agent: some blockpages are only served to browsers. */
export const DEFAULT_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

export interface ExchangeRequest {
  url: URL;
  method: HttpMethod;
  headers: Record<string, string>;
  body: Buffer | null;
  /** Connect to this address instead of resolving the URL's host (Host and SNI stay the URL's). */
  connectIp: string | null;
}

export interface ExchangeSettings {
  clock: MeasurementClock;
  deadline: Deadline;
  hop: number;
  bodyCapBytes: number;
  ca?: string | string[];
  fingerprints: readonly BlockpageFingerprint[];
  network: ProbeNetwork;
  /** Budget for the connection and TLS handshake of this hop; unset: only the deadline bounds it. */
  connectTimeoutMs?: number | undefined;
}

type Response = NonNullable<HttpExchange['response']>;

function hostnameOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function sendRequest(request: ExchangeRequest, settings: ExchangeSettings): http.ClientRequest {
  const isHttps = request.url.protocol === 'https:';
  const hostname = hostnameOf(request.url);
  const address = request.connectIp ?? hostname;
  const port = request.url.port === '' ? (isHttps ? 443 : 80) : Number(request.url.port);
  // Only an address is rewritten; a name is resolved by the OS (ProbeNetwork users pass connectIp).
  const dial = isIP(address) === 0 ? { ip: address, port } : dialTarget(settings.network, address, port);
  const { localAddress } = settings.network;
  const options: https.RequestOptions = {
    host: dial.ip,
    port: dial.port,
    ...(localAddress === undefined ? {} : { localAddress }),
    path: `${request.url.pathname}${request.url.search}`,
    method: request.method,
    headers: request.headers,
    signal: settings.deadline.signal,
    agent: false,
    ...(isHttps
      ? {
          servername: isIP(hostname) === 0 ? hostname : undefined,
          ...trustedBy(settings.ca),
          // Judged against the URL's host, whatever address the socket was dialled to.
          checkServerIdentity: (_host: string, certificate: PeerCertificate) =>
            checkServerIdentity(hostname, certificate),
        }
      : {}),
  };
  const outgoing = isHttps ? https.request(options) : http.request(options);
  outgoing.end(request.body ?? undefined);
  return outgoing;
}

interface ReadBody {
  body: Buffer;
  truncated: boolean;
  failure: Failure | null;
}

function readCappedBody(response: IncomingMessage, capBytes: number, deadline: Deadline): Promise<ReadBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (truncated: boolean, failure: Failure | null) => {
      response.removeAllListeners('data');
      resolve({ body: Buffer.concat(chunks, Math.min(length, capBytes)), truncated, failure });
    };
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length > capBytes) {
        finish(true, null);
        response.destroy();
      }
    });
    response.once('end', () => finish(false, null));
    response.once('error', (error) =>
      finish(false, deadline.signal.aborted ? deadline.failure() : mapNodeError(error)),
    );
  });
}

/** One HTTP request and response, recorded as an `HttpExchange` (the Location is returned for redirects). */
export function performExchange(
  request: ExchangeRequest,
  settings: ExchangeSettings,
): Promise<{ exchange: HttpExchange; location: string | undefined }> {
  const t0 = settings.clock.seconds();
  const recordedRequest = { method: request.method, url: request.url.href, headers: request.headers };
  return new Promise((resolve) => {
    const outgoing = sendRequest(request, settings);
    const connectBudget = limitConnect(
      outgoing,
      request.url.protocol === 'https:',
      settings.connectTimeoutMs,
    );
    const fail = (failure: Failure) =>
      resolve({
        exchange: {
          hop: settings.hop,
          request: recordedRequest,
          response: null,
          failure,
          t0,
          t: settings.clock.seconds(),
        },
        location: undefined,
      });
    outgoing.once('error', (error) => {
      connectBudget.clear();
      if (connectBudget.expired()) fail('generic_timeout_error');
      else fail(settings.deadline.signal.aborted ? settings.deadline.failure() : mapNodeError(error));
    });
    outgoing.once('response', async (incoming) => {
      connectBudget.clear();
      const remoteIp = incoming.socket.remoteAddress ?? null;
      const { body, truncated, failure } = await readCappedBody(
        incoming,
        settings.bodyCapBytes,
        settings.deadline,
      );
      outgoing.destroy();
      const text = body.toString('utf8');
      const title = extractTitle(text);
      const headers = recordResponseHeaders(incoming.headers);
      const response: Response = {
        status: incoming.statusCode ?? 0,
        headers,
        body_length: body.length,
        body_truncated: truncated,
        body_sha256: createHash('sha256').update(body).digest('hex'),
        title,
        blockpage: matchBlockpage(
          { title, body: text, location: headers.location ?? null, ip: remoteIp },
          settings.fingerprints,
        ),
      };
      resolve({
        exchange: {
          hop: settings.hop,
          request: recordedRequest,
          response,
          failure,
          t0,
          t: settings.clock.seconds(),
        },
        location: incoming.headers.location,
      });
    });
  });
}

/**
 * Ends the request with a timeout when its connection (and, for HTTPS, its TLS handshake) is not up
 * within `timeoutMs`. A handshake the TLS probe gives up on after its budget would not finish here
 * either: through an SNI drop, waiting out the whole HTTP budget made WhatsApp's rounds 5 s longer
 * and an ISP of 3 agents fell under the evidence floor in the lab (fuzz world 41206303, docs/lab.md).
 */
function limitConnect(
  outgoing: http.ClientRequest,
  isHttps: boolean,
  timeoutMs: number | undefined,
): { clear(): void; expired(): boolean } {
  let expired = false;
  if (timeoutMs === undefined) return { clear: () => {}, expired: () => false };
  const timer = setTimeout(() => {
    expired = true;
    outgoing.destroy(new Error(`no connection within ${timeoutMs} ms`));
  }, timeoutMs);
  timer.unref();
  outgoing.once('socket', (socket) => {
    socket.once(isHttps ? 'secureConnect' : 'connect', () => clearTimeout(timer));
  });
  return { clear: () => clearTimeout(timer), expired: () => expired };
}
