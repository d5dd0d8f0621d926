import { customAlphabet } from 'nanoid';
import { v7 as uuidv7 } from 'uuid';
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
// nanoid draws without modulo bias (rejection sampling), unlike `byte % 62`.
const idBody = customAlphabet(ALPHABET);

export function newPrefixedId<P extends string>(prefix: P, length = 22): `${P}_${string}` {
  return `${prefix}_${idBody(length)}`;
}

/** RFC 9562 UUIDv7 (the `uuid` package): 48-bit Unix milliseconds, version 7, variant 10, random rest. */
export function newMeasurementId(now: number = Date.now()): MeasurementId {
  return uuidv7({ msecs: now });
}

/** Milliseconds since the epoch encoded in a UUIDv7. */
export function measurementIdTime(id: MeasurementId): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
