import {
  importPublicKey,
  readSignatureHeaders,
  SIGNATURE_TOLERANCE_SECONDS,
  verifyRequestSignature,
} from '@reachmap/agent-auth';
import type { RedisClient } from '@reachmap/queue';
import { AgentId } from '@reachmap/schema';
import { enforceRateLimit, HttpError, type RateLimit } from '@reachmap/server-kit';
import type { MiddlewareHandler } from 'hono';
import { findAgent } from '../agents/agent-store.ts';
import { COLLECTOR_KEYS } from '../redis-keys.ts';
import type { CollectorEnv } from './collector-env.ts';
import { readWireBody } from './request-body.ts';

/**
 * A timestamp is accepted from now - 300 s to now + 300 s, so a request can be replayed for at most
 * 600 s; remembering each nonce that long makes every signed request single-use.
 */
const NONCE_RETENTION_S = 2 * SIGNATURE_TOLERANCE_SECONDS;

export interface SignedRequestOptions {
  redis: RedisClient;
  maxWireBytes: number;
  agentRate: RateLimit;
  now: () => number;
}

/**
 * Admits only requests signed by an enrolled, unrevoked agent (packages/agent-auth), each nonce
 * once, within the agent's rate. Cheap checks come first so strangers cannot make us read 5 MB.
 */
export function requireSignedAgent(options: SignedRequestOptions): MiddlewareHandler<CollectorEnv> {
  return async (c, next) => {
    const headers = readSignatureHeaders((name) => c.req.header(name), options.now());
    if (!headers.ok) throw new HttpError(401, headers.code, headers.message);
    const agent = AgentId.safeParse(headers.agentId).success
      ? await findAgent(options.redis, headers.agentId)
      : null;
    if (agent === null) {
      throw new HttpError(401, 'unknown_agent', 'no enrolled agent has this id; enrol with a new token');
    }
    const wireBody = await readWireBody(c.req.raw, options.maxWireBytes);
    const url = new URL(c.req.url);
    const signed = { method: c.req.method, path: `${url.pathname}${url.search}`, body: wireBody };
    if (!verifyRequestSignature(signed, headers, importPublicKey(agent.public_key))) {
      throw new HttpError(
        401,
        'signature_invalid',
        'the request signature does not verify with this agent key',
      );
    }
    // Checked after the signature, so only the agent itself can learn that it was revoked.
    if (agent.revoked_at !== null) {
      throw new HttpError(403, 'agent_revoked', `agent ${agent.id} was revoked at ${agent.revoked_at}`);
    }
    const fresh = await options.redis.set(
      COLLECTOR_KEYS.nonce(agent.id, headers.nonce),
      '1',
      'EX',
      NONCE_RETENTION_S,
      'NX',
    );
    if (fresh === null)
      throw new HttpError(401, 'nonce_replayed', 'this nonce was already used; sign every request anew');
    await enforceRateLimit(
      options.redis,
      COLLECTOR_KEYS.agentRate(agent.id),
      options.agentRate,
      `agent ${agent.id}`,
    );
    c.set('agent', agent);
    c.set('wireBody', wireBody);
    await next();
  };
}
