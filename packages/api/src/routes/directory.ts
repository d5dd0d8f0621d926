import { createRoute, z } from '@hono/zod-openapi';
import { NetworkType, ScopeKey, ScopeLevel, scopeLevelOf } from '@reachmap/schema';
import { listScopes } from '@reachmap/store';
import { agentCensus } from '../agents/agent-census.ts';
import { csvResponse, wantsCsv } from '../http/csv.ts';
import { READ_ERRORS } from '../http/error-schema.ts';
import type { ApiApp, RouteDeps } from './route-deps.ts';
import { FormatParam } from './shared-schemas.ts';

const TargetSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['service', 'control']),
    control: z.enum(['domestic', 'foreign']).nullable(),
    country: z.string().nullable(),
  })
  .openapi('TargetSummary');

const ScopeSummary = z.object({ scope: ScopeKey, level: ScopeLevel }).openapi('ScopeSummary');

const AgentCensusRow = z
  .object({
    scope: ScopeKey,
    network_type: NetworkType,
    agents: z.number().int(),
    active_24h: z.number().int(),
  })
  .openapi('AgentCensusRow');

function listRoute<T extends z.ZodType>(
  path: string,
  summary: string,
  key: string,
  item: T,
  deps: RouteDeps,
) {
  return createRoute({
    method: 'get',
    path,
    summary,
    middleware: [deps.requireRead] as const,
    request: { query: z.object({ format: FormatParam }) },
    responses: {
      200: {
        description: summary,
        content: {
          'application/json': { schema: z.object({ [key]: z.array(item) }) },
          'text/csv': { schema: z.string() },
        },
      },
      ...READ_ERRORS,
    },
  });
}

/** The catalogue, the scopes with data and the agent census: what there is to ask about. */
export function registerDirectoryRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    listRoute('/v1/targets', 'The measured targets and controls', 'targets', TargetSummary, deps),
    async (c) => {
      const catalogue = await deps.catalogue();
      const targets = catalogue.targets.map(({ id, name, kind, control, country }) => ({
        id,
        name,
        kind,
        control,
        country,
      }));
      if (wantsCsv(c)) return csvResponse(c, ['id', 'name', 'kind', 'control', 'country'], targets);
      return c.json({ targets }, 200);
    },
  );

  app.openapi(
    listRoute('/v1/scopes', 'Every scope with measurements', 'scopes', ScopeSummary, deps),
    async (c) => {
      const scopes = (await listScopes(deps.redis, deps.store)).map((scope) => ({
        scope,
        level: scopeLevelOf(scope),
      }));
      if (wantsCsv(c)) return csvResponse(c, ['scope', 'level'], scopes);
      return c.json({ scopes }, 200);
    },
  );

  app.openapi(
    listRoute(
      '/v1/agents',
      'Agents per scope and network type (no ids, keys or labels)',
      'agents',
      AgentCensusRow,
      deps,
    ),
    async (c) => {
      const agents = await agentCensus(deps.redis, deps.now());
      if (wantsCsv(c)) return csvResponse(c, ['scope', 'network_type', 'agents', 'active_24h'], agents);
      return c.json({ agents }, 200);
    },
  );
}
