import { SignedAgentConfig } from '@reachmap/schema';
import type { MiddlewareHandler } from 'hono';
import { signedConfigFor } from '../agent-config/agent-config.ts';
import type { CollectorEnv } from '../http/collector-env.ts';
import { errorResponses } from './error-schema.ts';
import type { CollectorApp, RouteDeps } from './route-deps.ts';
import { SignatureHeaders } from './signature-headers.ts';

export function registerAgentConfigRoute(
  app: CollectorApp,
  deps: RouteDeps,
  signed: MiddlewareHandler<CollectorEnv>,
): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/agents/me/config',
    summary: "The calling agent's current configuration (catalogue and schedule), signed by the collector",
    request: { headers: SignatureHeaders },
    responses: {
      200: {
        description: 'Signed configuration',
        content: { 'application/json': { schema: SignedAgentConfig } },
      },
      ...errorResponses({
        401: 'Signature problem or unknown agent',
        403: 'Agent revoked',
        429: 'Agent rate limit',
      }),
    },
  });

  app.get('/v1/agents/me/config', signed, async (c) => {
    return c.json(await signedConfigFor(c.get('agent').id, deps.config, deps.now()), 200);
  });
}
