import type { ServerResponse } from 'node:http';
import packageJson from '../../package.json' with { type: 'json' };
import type { ClientLimitsConfig } from '../config.ts';
import { respondJson } from './respond.ts';

export const REFLECTOR_SOFTWARE = { name: 'reachmap-reflector', version: packageJson.version };

/** `GET /`: what this server is and the limits a client should plan its runs around. */
export function info(response: ServerResponse, limits: ClientLimitsConfig): void {
  respondJson(response, 200, {
    software: REFLECTOR_SOFTWARE,
    endpoints: {
      address: 'GET /address: the address this server sees the client at',
      download: 'GET /download?bytes=N',
      upload: 'POST /upload',
      quic: 'UDP: Version Negotiation in reply to a QUIC Initial',
    },
    limits: {
      max_request_bytes: limits.maxRequestBytes,
      client_bytes_per_window: limits.bytesPerWindow,
      client_window_s: limits.windowSeconds,
      client_rate_bytes_per_s: limits.rateBytesPerSecond,
      client_burst_bytes: limits.burstBytes,
      max_connections_per_client: limits.maxConnectionsPerClient,
    },
  });
}
