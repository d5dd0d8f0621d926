import { SignedAgentConfig } from '@reachmap/schema';
import { errorResponses, HttpError } from '@reachmap/server-kit';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { signedConfigFor } from '../agent-config/agent-config.ts';
import { AgentUpdateReport, recordAgentSoftware } from '../agents/agent-store.ts';
import type { CollectorEnv } from '../http/collector-env.ts';
import type { CollectorApp, RouteDeps } from './route-deps.ts';
import { SignatureHeaders } from './signature-headers.ts';

/** What the agent reports in the (signed) query: its running version and its last self-update check. */
const SoftwareReport = z.strictObject({
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/)
    .optional(),
  update: AgentUpdateReport.shape.state.optional(),
  update_reason: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,40}$/)
    .optional(),
});

export function registerAgentConfigRoute(
  app: CollectorApp,
  deps: RouteDeps,
  signed: MiddlewareHandler<CollectorEnv>,
): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/agents/me/config',
    summary: "The calling agent's current configuration (catalogue and schedule), signed by the collector",
    request: { headers: SignatureHeaders, query: SoftwareReport },
    responses: {
      200: {
        description: 'Signed configuration',
        content: { 'application/json': { schema: SignedAgentConfig } },
      },
      ...errorResponses({
        400: 'Malformed version report in the query',
        401: 'Signature problem or unknown agent',
        403: 'Agent revoked',
        429: 'Agent rate limit',
      }),
    },
  });

  app.get('/v1/agents/me/config', signed, async (c) => {
    const agentId = c.get('agent').id;
    const report = SoftwareReport.safeParse(c.req.query());
    if (!report.success) {
      throw new HttpError(400, 'invalid_query', `bad version report: ${z.prettifyError(report.error)}`);
    }
    const { version, update, update_reason } = report.data;
    if (version !== undefined) {
      await recordAgentSoftware(deps.redis, agentId, {
        runningVersion: version,
        update:
          update === undefined
            ? null
            : {
                state: update,
                reason: update_reason ?? null,
                reported_at: new Date(deps.now()).toISOString(),
              },
      });
    }
    return c.json(await signedConfigFor(agentId, deps.config, deps.now()), 200);
  });
}
