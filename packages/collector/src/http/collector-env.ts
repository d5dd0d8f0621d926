import type { IncomingMessage } from 'node:http';
import type { AgentRecord } from '../agents/agent-store.ts';

/** Hono environment of the collector: node bindings plus what the signature check establishes. */
export interface CollectorEnv {
  Bindings: { incoming?: Pick<IncomingMessage, 'socket'> };
  Variables: {
    /** The verified signer, set by `requireSignedAgent`. */
    agent: AgentRecord;
    /** The body bytes exactly as sent (the signature covers them). */
    wireBody: Buffer;
  };
}
