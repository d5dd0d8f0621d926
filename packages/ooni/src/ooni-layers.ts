import type { ObservationKey, Observations } from '@reachmap/schema';
import {
  ooniNetworkEvent,
  ooniQuery,
  ooniRequests,
  ooniTcpConnect,
  ooniTlsHandshake,
} from './export/observation-entries.ts';
import { X_REACHMAP_QUIC, X_REACHMAP_THROUGHPUT } from './reachmap-extension.ts';

/** How one observation key travels in OONI's df-000 `test_keys`. */
export interface OoniLayer<K extends ObservationKey> {
  /** The test key that carries it: OONI's data format where one exists, else our `x_reachmap_` one. */
  testKey: string;
  /** The key's value on export; undefined leaves an extension key out when there is nothing to say. */
  toOoni(entries: Observations[K]): unknown;
}

/** Our own entries as they are, in an extension key that is left out when there are none. */
function unlessEmpty<T>(entries: readonly T[]): readonly T[] | undefined {
  return entries.length > 0 ? entries : undefined;
}

/**
 * The OONI part of the layer registry (packages/schema/src/layers.ts): df-002 queries, df-005
 * tcp_connect, df-006 tls_handshakes, df-001 requests and df-008 network_events; QUIC and throughput
 * have no OONI data format, so they travel in extension keys (docs/ooni.md). The import reads the
 * same keys (import/observations.ts).
 */
export const OONI_LAYERS: { [K in ObservationKey]: OoniLayer<K> } = {
  dns: { testKey: 'queries', toOoni: (queries) => queries.map(ooniQuery) },
  tcp: { testKey: 'tcp_connect', toOoni: (connects) => connects.map(ooniTcpConnect) },
  tls: { testKey: 'tls_handshakes', toOoni: (handshakes) => handshakes.map(ooniTlsHandshake) },
  http: { testKey: 'requests', toOoni: ooniRequests },
  quic: { testKey: X_REACHMAP_QUIC, toOoni: unlessEmpty },
  throughput: { testKey: X_REACHMAP_THROUGHPUT, toOoni: unlessEmpty },
  network_events: { testKey: 'network_events', toOoni: (events) => events.map(ooniNetworkEvent) },
};
