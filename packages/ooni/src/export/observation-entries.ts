import type { DnsQuery, HttpExchange, NetworkEvent, TcpConnect, TlsHandshake } from '@reachmap/schema';
import { rcodeNumber } from '../dns-rcode.ts';
import { formatEndpoint } from '../import/endpoint.ts';
import { SNI_CONTROL_TAG } from '../sni-role-tag.ts';

/** Our observations in df-002/005/006/001/008 shapes, as OONI's tools read them. */

export function ooniQuery(query: DnsQuery): Record<string, unknown> {
  const rcode = query.rcode === null ? null : rcodeNumber(query.rcode);
  return {
    answers: query.answers.map((answer) => ({
      answer_type: answer.type,
      ...(answer.type === 'A'
        ? { ipv4: answer.value }
        : answer.type === 'AAAA'
          ? { ipv6: answer.value }
          : { hostname: answer.value }),
      ttl: answer.ttl,
    })),
    engine: query.resolver.kind,
    failure: query.failure,
    hostname: query.hostname,
    query_type: query.query_type,
    resolver_address: query.resolver.address ?? '',
    ...(rcode === null ? {} : { rcode }),
    t0: query.t0,
    t: query.t,
  };
}

export function ooniTcpConnect(connect: TcpConnect): Record<string, unknown> {
  return {
    ip: connect.ip,
    port: connect.port,
    status: { failure: connect.failure, success: connect.failure === null },
    t0: connect.t0,
    t: connect.t,
  };
}

export function ooniTlsHandshake(handshake: TlsHandshake): Record<string, unknown> {
  return {
    address: formatEndpoint(handshake.ip, handshake.port),
    cipher_suite: handshake.cipher_suite ?? '',
    failure: handshake.failure,
    negotiated_protocol: handshake.alpn_negotiated ?? '',
    // We record validation separately and never skip it, so OONI's "verification disabled" is false.
    no_tls_verify: false,
    // We keep certificate summaries, not the DER OONI stores; an empty list rather than invented data.
    peer_certificates: [],
    server_name: handshake.sni ?? '',
    tags: handshake.sni_role === 'control' ? [SNI_CONTROL_TAG] : [],
    tls_version: handshake.tls_version ?? '',
    t0: handshake.t0,
    t: handshake.t,
  };
}

function headersList(headers: Record<string, string>): [string, string][] {
  return Object.entries(headers);
}

/** df-001 lists the newest request first, so a redirect chain comes out last hop first, as OONI writes it. */
export function ooniRequests(exchanges: readonly HttpExchange[]): Record<string, unknown>[] {
  return [...exchanges].reverse().map((exchange) => ({
    failure: exchange.failure,
    request: {
      body: '',
      body_is_truncated: false,
      headers: exchange.request.headers,
      headers_list: headersList(exchange.request.headers),
      method: exchange.request.method,
      url: exchange.request.url,
    },
    response:
      exchange.response === null
        ? { body: '', body_is_truncated: false, code: 0, headers: null, headers_list: null }
        : {
            // We keep no bodies; their length, hash, title and blockpage match travel as x_ keys.
            body: '',
            body_is_truncated: exchange.response.body_truncated,
            code: exchange.response.status,
            headers: exchange.response.headers,
            headers_list: headersList(exchange.response.headers),
            x_body_length: exchange.response.body_length,
            x_body_sha256: exchange.response.body_sha256,
            x_title: exchange.response.title,
            x_blockpage: exchange.response.blockpage,
          },
    t0: exchange.t0,
    t: exchange.t,
  }));
}

export function ooniNetworkEvent(event: NetworkEvent): Record<string, unknown> {
  return {
    address: event.address ?? undefined,
    failure: event.failure,
    num_bytes: event.num_bytes ?? undefined,
    operation: event.operation,
    t: event.t,
  };
}
