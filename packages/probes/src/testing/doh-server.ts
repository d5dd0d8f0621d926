import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { IssuedCertificate } from '@reachmap/pki';
import { answerDnsQuery, type LabDnsZone } from './dns-zone.ts';
import { listenOnLoopback } from './loopback-server.ts';

export interface LabDohServer {
  /** `https://127.0.0.1:port/dns-query` */
  readonly url: string;
  close(): Promise<void>;
}

/** An RFC 8484 DoH endpoint (POST and GET) on `/dns-query`, answering from a fixed zone. */
export async function startLabDohServer(
  zone: LabDnsZone,
  certificate: IssuedCertificate,
): Promise<LabDohServer> {
  const reply = (query: Buffer, response: ServerResponse) => {
    const answer = answerDnsQuery(query, zone);
    if (answer === null) return; // silent: leave the request hanging
    response.writeHead(200, { 'content-type': 'application/dns-message', 'content-length': answer.length });
    response.end(answer);
  };
  const server = https.createServer(
    { cert: certificate.chainPem, key: certificate.privateKeyPem },
    (request: IncomingMessage, response: ServerResponse) => {
      const url = new URL(request.url ?? '/', 'https://lab');
      const fromQuery = url.searchParams.get('dns');
      if (url.pathname !== '/dns-query') {
        response.writeHead(404).end();
      } else if (request.method === 'GET' && fromQuery !== null) {
        reply(Buffer.from(fromQuery, 'base64url'), response);
      } else {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.once('end', () => reply(Buffer.concat(chunks), response));
      }
    },
  );
  const listening = await listenOnLoopback(server);
  return { url: `https://127.0.0.1:${listening.port}/dns-query`, close: listening.close };
}
