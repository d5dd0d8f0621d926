import type { NetworkEvent } from '@reachmap/schema';
import type { OoniNetworkEvent } from '../ooni-format.ts';
import { ooniFailure } from './failure.ts';
import { timingOf } from './timing.ts';

type Operation = NetworkEvent['operation'];

/**
 * df-008 operations we model. OONI also logs resolver and HTTP milestones (`resolve_start`,
 * `http_wrote_headers`…); those are already in the DNS and HTTP entries and are left out.
 */
const OPERATIONS: ReadonlyMap<string, Operation> = new Map(
  Object.entries({
    connect: 'connect',
    tls_handshake_start: 'tls_handshake_start',
    tls_handshake_done: 'tls_handshake_done',
    read: 'read',
    read_from: 'read',
    write: 'write',
    write_to: 'write',
    close: 'close',
  }),
);

export function mapNetworkEvent(event: OoniNetworkEvent): NetworkEvent | null {
  const operation = OPERATIONS.get(event.operation);
  if (operation === undefined) return null;
  return {
    operation,
    address: event.address || null,
    num_bytes: event.num_bytes ?? null,
    failure: ooniFailure(event.failure),
    t: timingOf(event).t,
  };
}
