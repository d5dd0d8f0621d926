import type { RedisClient } from '@reachmap/queue';
import { newEnrolmentToken, storeEnrolmentToken } from '../enrolment/enrolment-tokens.ts';

export interface CreatedToken {
  /** Shown once to the operator; only its SHA-256 is stored. */
  token: string;
  label: string;
  expiresAt: string;
  simulated: boolean;
}

/** `reachmap admin token create`: a one-time enrolment token valid for `expiresInMs`. */
export async function createEnrolmentToken(
  redis: RedisClient,
  options: {
    label: string;
    expiresInMs: number;
    now?: number;
    /** For the lab and demo: the agent may then submit only `source.kind: "simulated"`. */
    simulated?: boolean;
  },
): Promise<CreatedToken> {
  if (!(options.expiresInMs > 0)) throw new RangeError('token expiry must be a positive duration');
  const now = options.now ?? Date.now();
  const token = newEnrolmentToken();
  const expiresAt = new Date(now + options.expiresInMs).toISOString();
  const simulated = options.simulated ?? false;
  await storeEnrolmentToken(
    redis,
    token,
    { label: options.label, created_at: new Date(now).toISOString(), expires_at: expiresAt, simulated },
    options.expiresInMs,
  );
  return { token, label: options.label, expiresAt, simulated };
}
