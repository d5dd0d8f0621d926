import type { RedisClient } from '@reachmap/queue';
import type { Measurement } from '@reachmap/schema';
import { z } from 'zod';
import { DEAD_LETTER_KEYS } from './keys.ts';

/**
 * Records kept in the stream: enough for an operator to find and replay what failed. The stream is
 * trimmed to this many (the total counter is not), so hostile input cannot fill Redis through it.
 */
export const DEAD_LETTER_CAP = 1_000;

/** A measurement's JSON above this is kept as its identifying fields only (the archive keeps none). */
const MAX_KEPT_MEASUREMENT_BYTES = 16 * 1024;

export const DeadLetter = z.object({
  measurement_id: z.string(),
  agent_id: z.string(),
  batch_id: z.string(),
  /** Why it could not be counted, e.g. `RangeError: expected a non-negative integer …`. */
  error: z.string(),
  failed_at: z.iso.datetime(),
  /** The measurement as queued, or its identifying fields when it was too large to keep. */
  measurement: z.record(z.string(), z.unknown()),
});
export type DeadLetter = z.infer<typeof DeadLetter>;

function keptMeasurement(measurement: Measurement): Record<string, unknown> {
  const json = JSON.stringify(measurement);
  if (json.length <= MAX_KEPT_MEASUREMENT_BYTES) return JSON.parse(json) as Record<string, unknown>;
  const { id, agent, network, target, start_time, end_time } = measurement;
  return { id, agent, network, target, start_time, end_time, truncated: true };
}

export interface DeadLetterInput {
  measurement: Measurement;
  batchId: string;
  error: unknown;
  at: number;
}

/** Writes dead-letter records in one round trip; each is counted in the never-trimmed total. */
export async function writeDeadLetters(
  redis: RedisClient,
  letters: readonly DeadLetterInput[],
): Promise<void> {
  if (letters.length === 0) return;
  const pipeline = redis.multi();
  for (const letter of letters) {
    const record: DeadLetter = {
      measurement_id: String(letter.measurement.id),
      agent_id: String(letter.measurement.agent?.id),
      batch_id: letter.batchId,
      error: String(letter.error).slice(0, 500),
      failed_at: new Date(letter.at).toISOString(),
      measurement: keptMeasurement(letter.measurement),
    };
    pipeline.xadd(
      DEAD_LETTER_KEYS.stream,
      'MAXLEN',
      '~',
      DEAD_LETTER_CAP,
      '*',
      'record',
      JSON.stringify(record),
    );
  }
  pipeline.incrby(DEAD_LETTER_KEYS.total, letters.length);
  const results = await pipeline.exec();
  const failure = results?.find(([error]) => error !== null)?.[0];
  if (failure) throw failure;
}

/** The newest `limit` dead letters, newest first. */
export async function readDeadLetters(redis: RedisClient, limit = 100): Promise<DeadLetter[]> {
  const entries = await redis.xrevrange(DEAD_LETTER_KEYS.stream, '+', '-', 'COUNT', limit);
  return entries.flatMap(([, fields]) => {
    const parsed = DeadLetter.safeParse(JSON.parse(fields[1] ?? 'null'));
    return parsed.success ? [parsed.data] : [];
  });
}

/** Every dead letter ever written (the stream keeps only the newest DEAD_LETTER_CAP). */
export async function countDeadLetters(redis: RedisClient): Promise<number> {
  return Number((await redis.get(DEAD_LETTER_KEYS.total)) ?? 0);
}
