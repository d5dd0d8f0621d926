import https from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { mapNodeError } from '@reachmap/schema';
import type { Deadline } from '../deadline.ts';
import { dialTarget, type ProbeNetwork } from '../network/probe-network.ts';
import { trustedBy } from '../tls/secure-contexts.ts';
import type { DnsExchangeResult } from './exchange-result.ts';

export interface DohEndpoint {
  url: string;
  /** RFC 8484 allows both; POST is the default, GET carries the query base64url-encoded in `?dns=`. */
  method?: 'POST' | 'GET';
  /** Extra trust anchors in PEM (the lab CA); the system store is used when absent. */
  ca?: string | string[];
}

const DNS_MESSAGE = 'application/dns-message';
/** A DNS message cannot exceed 65535 bytes (RFC 8484 §6 inherits the TCP framing limit). */
const MAX_MESSAGE_BYTES = 65_535;

/** DNS over HTTPS (RFC 8484). A non-200 status or a non-DNS body is `dns_server_misbehaving`. */
export function exchangeDoh(
  endpoint: DohEndpoint,
  query: Buffer,
  deadline: Deadline,
  network: ProbeNetwork,
): Promise<DnsExchangeResult> {
  return new Promise((resolve) => {
    const method = endpoint.method ?? 'POST';
    const url = new URL(endpoint.url);
    if (method === 'GET') url.searchParams.set('dns', query.toString('base64url'));
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const dial = dialTarget(network, hostname, url.port === '' ? 443 : Number(url.port));
    const request = https.request({
      host: dial.ip,
      port: dial.port,
      path: `${url.pathname}${url.search}`,
      // The certificate is checked against the URL's host, not the address the socket went to.
      servername: isIP(hostname) === 0 ? hostname : undefined,
      checkServerIdentity: (_host, certificate) => checkServerIdentity(hostname, certificate),
      ...(network.localAddress === undefined ? {} : { localAddress: network.localAddress }),
      agent: false,
      method,
      signal: deadline.signal,
      ...trustedBy(endpoint.ca),
      headers: {
        host: url.host,
        accept: DNS_MESSAGE,
        ...(method === 'POST' ? { 'content-type': DNS_MESSAGE, 'content-length': query.length } : {}),
      },
    });
    let settled = false;
    const finish = (result: DnsExchangeResult) => {
      if (settled) return;
      settled = true;
      request.destroy();
      resolve(result);
    };
    request.once('error', (error) =>
      finish({ ok: false, failure: deadline.signal.aborted ? deadline.failure() : mapNodeError(error) }),
    );
    request.once('response', (response) => {
      const contentType = response.headers['content-type'] ?? '';
      if (response.statusCode !== 200 || !contentType.startsWith(DNS_MESSAGE)) {
        finish({ ok: false, failure: 'dns_server_misbehaving' });
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      response.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > MAX_MESSAGE_BYTES) finish({ ok: false, failure: 'dns_server_misbehaving' });
        else chunks.push(chunk);
      });
      response.once('end', () => finish({ ok: true, message: Buffer.concat(chunks) }));
      response.once('error', (error) =>
        finish({ ok: false, failure: deadline.signal.aborted ? deadline.failure() : mapNodeError(error) }),
      );
    });
    request.end(method === 'POST' ? query : undefined);
  });
}
