import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { IssuedCertificate } from '@reachmap/pki';
import { type LoopbackServer, listenOnLoopback } from './loopback-server.ts';

/** The page the censorship lab's blockpage server serves; `lab-blockpage` in data/blockpages.json. */
export const LAB_BLOCKPAGE_HTML =
  '<!doctype html><html><head><title>Access restricted (reachmap lab)</title></head>' +
  '<body><h1>Access to this resource is restricted.</h1></body></html>';

export const LAB_TARGET_TITLE = 'Reachmap lab target';

function html(response: ServerResponse, status: number, body: string): void {
  response
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', server: 'reachmap-lab' })
    .end(body);
}

/** A small website with the redirect shapes the HTTP probe must follow. */
export const labWebsite: RequestListener = (request: IncomingMessage, response: ServerResponse) => {
  const url = new URL(request.url ?? '/', 'http://lab');
  switch (url.pathname) {
    case '/':
      html(response, 200, `<html><head><title>${LAB_TARGET_TITLE}</title></head><body>hello</body></html>`);
      return;
    case '/redirect':
      response.writeHead(302, { location: '/' }).end();
      return;
    case '/loop':
      response.writeHead(302, { location: '/loop' }).end();
      return;
    case '/see-other':
      response.writeHead(303, { location: '/method' }).end();
      return;
    case '/temporary':
      response.writeHead(307, { location: '/method' }).end();
      return;
    case '/method':
      html(response, 200, request.method ?? '');
      return;
    case '/leave':
      response.writeHead(302, { location: 'ftp://lab.test/file' }).end();
      return;
    case '/bytes':
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(Buffer.alloc(Number(url.searchParams.get('n') ?? '0'), 0x61));
      return;
    default:
      html(response, 404, '<title>Not found</title>');
  }
};

const blockpage: RequestListener = (_request, response) => html(response, 200, LAB_BLOCKPAGE_HTML);

export function startLabWebServer(): Promise<LoopbackServer> {
  return listenOnLoopback(http.createServer(labWebsite));
}

export function createLabHttpsServer(certificate: IssuedCertificate): https.Server {
  return https.createServer({ cert: certificate.chainPem, key: certificate.privateKeyPem }, labWebsite);
}

export function startLabHttpsServer(certificate: IssuedCertificate): Promise<LoopbackServer> {
  return listenOnLoopback(createLabHttpsServer(certificate));
}

/** Serves the lab blockpage for every request, like the lab's DNAT target on port 80. */
export function startBlockpageServer(): Promise<LoopbackServer> {
  return listenOnLoopback(http.createServer(blockpage));
}
