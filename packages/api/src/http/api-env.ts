import type { HttpBindings } from '@hono/node-server';
import type { Principal } from '../access/principal.ts';

/** Hono environment of the API: node-server bindings, the request id and who is asking. */
export type ApiEnv = {
  Bindings: HttpBindings;
  Variables: { requestId: string; principal: Principal };
};
