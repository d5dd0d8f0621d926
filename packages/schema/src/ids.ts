import { randomBytes } from 'node:crypto';
import { z } from 'zod';

// Prefixed ids tell what they are in a log line (agt_…, rnd_…, evt_…, whk_…).
const PREFIXED_ID_BODY = /^[0-9A-Za-z]{16,40}$/;

function prefixedId<P extends string>(prefix: P) {
  return z
    .string()
    .refine(
      (value) => value.startsWith(`${prefix}_`) && PREFIXED_ID_BODY.test(value.slice(prefix.length + 1)),
      {
        message: `expected an id of the form ${prefix}_ followed by 16-40 letters or digits`,
      },
    ) as unknown as z.ZodType<`${P}_${string}`>;
}

export const AgentId = prefixedId('agt');
export type AgentId = z.infer<typeof AgentId>;
export const RoundId = prefixedId('rnd');
export type RoundId = z.infer<typeof RoundId>;
export const EventId = prefixedId('evt');
export type EventId = z.infer<typeof EventId>;

/** Measurement ids are UUIDv7: made by the agent, time-ordered, and the idempotency key end to end. */
export const MeasurementId = z.uuid({ version: 'v7', message: 'expected a UUIDv7' });
export type MeasurementId = z.infer<typeof MeasurementId>;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function newPrefixedId<P extends string>(prefix: P, length = 22): `${P}_${string}` {
  const bytes = randomBytes(length);
  let body = '';
  for (const byte of bytes) body += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${body}`;
}

/** RFC 9562 UUIDv7: 48-bit Unix milliseconds, version 7, variant 10, random rest. */
export function newMeasurementId(now: number = Date.now()): MeasurementId {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Milliseconds since the epoch encoded in a UUIDv7. */
export function measurementIdTime(id: MeasurementId): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
