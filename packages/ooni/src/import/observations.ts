import {
  DnsQuery,
  NetworkEvent,
  OBSERVATION_LAYERS,
  type ObservationKey,
  type Observations,
  TcpConnect,
  TlsHandshake,
} from '@reachmap/schema';
import type { z } from 'zod';
import {
  OoniDnsQuery,
  OoniHttpTransaction,
  OoniNetworkEvent,
  OoniTcpConnect,
  OoniTlsHandshake,
} from '../ooni-format.ts';
import { OONI_LAYERS } from '../ooni-layers.ts';
import { QuicExtension, ThroughputExtension } from '../reachmap-extension.ts';
import { type ControlDns, controlDnsQueries, mapDnsQuery } from './dns.ts';
import { mapHttpTransactions } from './http.ts';
import { mapNetworkEvent } from './network-events.ts';
import { mapTcpConnect } from './tcp.ts';
import { mapTlsHandshake } from './tls.ts';
import { validEntry as checkedEntry, uncheckedEntry } from './valid-entry.ts';

/** An OONI entry left out of the import, and why; the measurement itself is still imported. */
export interface DroppedEntry {
  path: string;
  reason: string;
}

/** The test key an observation key comes from, and the cap our schema puts on its entries. */
const keyOf = (key: ObservationKey) => OONI_LAYERS[key].testKey;
const capOf = (key: ObservationKey) => OBSERVATION_LAYERS[key].max;

interface Collector {
  dropped: DroppedEntry[];
  pointer: string;
  checkEntries: boolean;
}

function entriesOf<T>(
  testKeys: Record<string, unknown>,
  key: string,
  schema: z.ZodType<T>,
  collector: Collector,
): { index: number; entry: T }[] {
  const list = testKeys[key];
  if (!Array.isArray(list)) return [];
  // Unchecked (the fast attempt): the entries are taken as OONI's format says; a wrong one makes the
  // mapping throw or the measurement's validation fail, and the checked attempt drops it with a reason.
  if (!collector.checkEntries) return list.map((item, index) => ({ index, entry: item as T }));
  return list.flatMap((item, index) => {
    const parsed = schema.safeParse(item);
    if (parsed.success) return [{ index, entry: parsed.data }];
    const issue = parsed.error.issues[0];
    collector.dropped.push({
      path: `${collector.pointer}/test_keys/${key}/${index}`,
      reason: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    });
    return [];
  });
}

function mapped<O, T>(
  items: readonly { index: number; entry: O }[],
  key: string,
  map: (entry: O) => T | string,
  collector: Collector,
): T[] {
  return items.flatMap(({ index, entry }) => {
    const result = map(entry);
    if (typeof result !== 'string') return [result];
    collector.dropped.push({ path: `${collector.pointer}/test_keys/${key}/${index}`, reason: result });
    return [];
  });
}

function capped<T>(items: T[], limit: number, key: string, collector: Collector): T[] {
  if (items.length <= limit) return items;
  collector.dropped.push({
    path: `${collector.pointer}/test_keys/${key}`,
    reason: `${items.length - limit} entries beyond our limit of ${limit}`,
  });
  return items.slice(0, limit);
}

function extension<T>(
  testKeys: Record<string, unknown>,
  key: string,
  schema: z.ZodType<T[]>,
  collector: Collector,
): T[] {
  if (!(key in testKeys)) return [];
  const parsed = schema.safeParse(testKeys[key]);
  if (parsed.success) return parsed.data;
  collector.dropped.push({
    path: `${collector.pointer}/test_keys/${key}`,
    reason: 'not a valid reachmap extension',
  });
  return [];
}

/**
 * test_keys → our observations: `queries` (df-002), `tcp_connect` (df-005), `tls_handshakes`
 * (df-006), `requests` (df-001) and `network_events` (df-008), plus web_connectivity's control DNS and
 * our own extension keys. Entries that cannot be expressed are dropped and reported, never fatal.
 */
export function mapObservations(
  testKeys: Record<string, unknown>,
  pointer: string,
  controlDns: ControlDns | null,
  /**
   * Check each mapped entry against our schema, dropping the ones that fail. Off for the first, fast
   * attempt whose whole measurement is validated once (map-measurement.ts).
   */
  checkEntries = true,
): { observations: Observations; dropped: DroppedEntry[] } {
  const collector: Collector = { dropped: [], pointer, checkEntries };
  const validEntry = checkEntries ? checkedEntry : uncheckedEntry;
  const queries = entriesOf(testKeys, keyOf('dns'), OoniDnsQuery, collector);
  const dns = [
    ...mapped(queries, keyOf('dns'), (query) => validEntry(DnsQuery, mapDnsQuery(query)), collector),
    ...(controlDns === null
      ? []
      : controlDnsQueries(controlDns).flatMap((query) => {
          // The test helper's answers can be malformed too (e.g. a non-IP in addrs): said, not hidden.
          const valid = validEntry(DnsQuery, query);
          if (typeof valid !== 'string') return [valid];
          collector.dropped.push({
            path: `${collector.pointer}/test_keys/control/dns`,
            reason: `control ${query.query_type} query: ${valid}`,
          });
          return [];
        })),
  ];
  const connects = entriesOf(testKeys, keyOf('tcp'), OoniTcpConnect, collector);
  const tcp = mapped(
    connects,
    keyOf('tcp'),
    (connect) => validEntry(TcpConnect, mapTcpConnect(connect)),
    collector,
  );
  const handshakes = entriesOf(testKeys, keyOf('tls'), OoniTlsHandshake, collector);
  const tls = mapped(
    handshakes,
    keyOf('tls'),
    (handshake) => validEntry(TlsHandshake, mapTlsHandshake(handshake, dns, tcp)),
    collector,
  );
  const transactions = entriesOf(testKeys, keyOf('http'), OoniHttpTransaction, collector);
  const http = mapHttpTransactions(
    transactions.map(({ index, entry }) => ({ index, transaction: entry })),
    (index, reason) =>
      collector.dropped.push({ path: `${pointer}/test_keys/${keyOf('http')}/${index}`, reason }),
    checkEntries,
  );
  const events = entriesOf(testKeys, keyOf('network_events'), OoniNetworkEvent, collector);
  const networkEvents = events.flatMap(({ entry }) => {
    const event = mapNetworkEvent(entry);
    return event !== null && (!checkEntries || NetworkEvent.safeParse(event).success) ? [event] : [];
  });
  return {
    observations: {
      dns: capped(dns, capOf('dns'), keyOf('dns'), collector),
      tcp: capped(tcp, capOf('tcp'), keyOf('tcp'), collector),
      tls: capped(tls, capOf('tls'), keyOf('tls'), collector),
      http: capped(http, capOf('http'), keyOf('http'), collector),
      quic: extension(testKeys, keyOf('quic'), QuicExtension, collector),
      throughput: extension(testKeys, keyOf('throughput'), ThroughputExtension, collector),
      network_events: capped(networkEvents, capOf('network_events'), keyOf('network_events'), collector),
    },
    dropped: collector.dropped,
  };
}
