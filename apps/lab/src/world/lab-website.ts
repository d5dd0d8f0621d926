import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Catalogue } from '@reachmap/targets';
import { replyToQuery } from '../censor/lying-resolver.ts';

/** Served by every lab target whose catalogue check expects no particular title. */
export const LAB_SITE_TITLE = 'Reachmap lab target';
/** What a download path serves when the URL names no size: the catalogue's throughput runs read 1 MiB. */
const DEFAULT_DOWNLOAD_BYTES = 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024;
const CHUNK = Buffer.alloc(16_384, 0x61);
const DNS_MESSAGE = 'application/dns-message';

/** The page title each lab hostname serves at `/`: the one its HTTP check expects, if any. */
function titlesByHost(catalogue: Catalogue): Map<string, string> {
  const titles = new Map<string, string>();
  for (const target of catalogue.targets) {
    for (const check of target.suite.http) {
      if (check.expected_title !== null) titles.set(new URL(check.url).hostname, check.expected_title);
    }
  }
  return titles;
}

function sendBytes(response: ServerResponse, bytes: number): void {
  response.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(bytes),
  });
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const piece = CHUNK.subarray(0, Math.min(left, CHUNK.length));
      left -= piece.length;
      if (!response.write(piece)) return void response.once('drain', pump);
    }
    response.end();
  };
  pump();
}

function answerDoh(request: IncomingMessage, response: ServerResponse, catalogue: Catalogue): void {
  const reply = (query: Buffer) => {
    const answer = replyToQuery(query, request.socket.remoteAddress ?? '', {
      host: '',
      port: 0,
      rules: [],
      zone: catalogue.dns_zone,
      agentIndexOf: () => null,
    });
    if (answer === null) {
      response.writeHead(400).end();
      return;
    }
    response.writeHead(200, { 'content-type': DNS_MESSAGE, 'content-length': answer.length }).end(answer);
  };
  const fromQuery = new URL(request.url ?? '/', 'https://lab').searchParams.get('dns');
  if (fromQuery !== null) {
    reply(Buffer.from(fromQuery, 'base64url'));
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.once('end', () => reply(Buffer.concat(chunks)));
}

/**
 * The stand-in for every lab website: `/` is a page with the title the catalogue expects for the
 * host, `/dns-query` is RFC 8484 DoH for the lab zone, `?bytes=N` or any other path is a download
 * (the speed-test files and media the throughput runs fetch).
 */
export function labWebsite(catalogue: Catalogue): RequestListener {
  const titles = titlesByHost(catalogue);
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://lab');
    const host = (request.headers.host ?? '').replace(/:\d+$/, '');
    if (url.pathname === '/dns-query') {
      answerDoh(request, response, catalogue);
      return;
    }
    if (url.pathname === '/') {
      const title = titles.get(host) ?? LAB_SITE_TITLE;
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', server: 'reachmap-lab' });
      response.end(`<!doctype html><html><head><title>${title}</title></head><body>${host}</body></html>`);
      return;
    }
    if (url.pathname === '/v2/register') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"fail","reason":"lab"}');
      return;
    }
    const requested = Number(url.searchParams.get('bytes') ?? DEFAULT_DOWNLOAD_BYTES);
    const bytes = Number.isFinite(requested) ? Math.min(Math.max(0, requested), MAX_DOWNLOAD_BYTES) : 0;
    sendBytes(response, bytes);
  };
}
