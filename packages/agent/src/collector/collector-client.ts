import type { KeyObject } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signRequest } from '@reachmap/agent-auth';
import { ErrorBody } from '@reachmap/schema';
import { parseRetryAfter } from './retry-after.ts';

/** How the collector answered, or why it could not: the caller decides what is retryable. */
export type CollectorResponse =
  | { ok: true; status: number; body: unknown; bytes: Buffer }
  | {
      ok: false;
      /** 0 when no HTTP answer arrived (connection refused, timeout, TLS failure). */
      status: number;
      code: string;
      message: string;
      retryAfterMs: number | null;
    };

export interface SignedCaller {
  agentId: string;
  privateKey: KeyObject;
}

export interface CollectorRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: Uint8Array;
  headers?: Record<string, string>;
  /** Signs the request as this agent (every call after enrolment). */
  signAs?: SignedCaller;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** The largest answer read: a configuration with a 500-target catalogue is well below it. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** One HTTP exchange with the collector. Never throws for network or HTTP failures. */
export async function callCollector(baseUrl: string, request: CollectorRequest): Promise<CollectorResponse> {
  const url = new URL(request.path, baseUrl);
  const body = request.body ?? new Uint8Array();
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.signAs !== undefined) {
    // The signature covers the path as the collector sees it, query included.
    Object.assign(
      headers,
      signRequest(
        { method: request.method, path: `${url.pathname}${url.search}`, body },
        request.signAs.agentId,
        request.signAs.privateKey,
      ),
    );
  }
  const timeout = AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let response: RawResponse;
  try {
    response = await exchange(
      url,
      request.method,
      headers,
      body,
      request.signal ? AbortSignal.any([timeout, request.signal]) : timeout,
    );
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return {
      ok: false,
      status: 0,
      code: code ?? (error as Error).name,
      message: `cannot reach the collector at ${url.origin}: ${message}`,
      retryAfterMs: null,
    };
  }
  const text = response.bytes.toString('utf8');
  const parsed = parseJson(text);
  if (response.status >= 200 && response.status < 300)
    return { ok: true, status: response.status, body: parsed, bytes: response.bytes };
  const error = ErrorBody.safeParse(parsed);
  return {
    ok: false,
    status: response.status,
    code: error.success ? error.data.error.code : `http_${response.status}`,
    message: error.success
      ? error.data.error.message
      : `collector answered ${response.status}: ${text.slice(0, 200)}`,
    retryAfterMs: parseRetryAfter(response.retryAfter),
  };
}

interface RawResponse {
  status: number;
  retryAfter: string | null;
  bytes: Buffer;
}

/**
 * node:http rather than fetch: fetch loads undici on first use, about 10 MB of resident memory the
 * agent's idle budget cannot spare, for two kinds of request.
 */
function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array,
  signal: AbortSignal,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(
      url,
      {
        method,
        headers: method === 'GET' ? headers : { ...headers, 'content-length': String(body.length) },
        signal,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES)
            outgoing.destroy(new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(chunk);
        });
        incoming.on('end', () => {
          const retryAfter = incoming.headers['retry-after'];
          resolve({
            status: incoming.statusCode ?? 0,
            retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
            bytes: Buffer.concat(chunks),
          });
        });
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(method === 'GET' ? undefined : body);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
