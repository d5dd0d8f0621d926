import { NetworkProposal } from '@reachmap/schema';
import { clientAddress, enforceRateLimit, errorResponses, HttpError } from '@reachmap/server-kit';
import { z } from 'zod';
import { proposeNetwork } from '../enrolment/network-proposal.ts';
import { COLLECTOR_KEYS } from '../redis-keys.ts';
import type { CollectorApp, RouteDeps } from './route-deps.ts';

const ProposalQuery = z.strictObject({
  /** The caller's public address as a control endpoint (a reflector's `/address`) echoed it. */
  agent_address: z.ipv4().or(z.ipv6()).optional(),
});

/**
 * Asked by `reachmap-agent enroll` before it enrols, so the operator confirms a detected network
 * instead of typing one. Unauthenticated like enrolment, and counted against the same per-address
 * budget: it tells a caller no more than its own addresses and what the database says about them.
 */
export function registerNetworkProposalRoute(app: CollectorApp, deps: RouteDeps): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/agents/network-proposal',
    summary: 'The network the collector places the caller in (its address and the GeoIP database)',
    request: { query: ProposalQuery },
    responses: {
      200: { description: 'Proposal', content: { 'application/json': { schema: NetworkProposal } } },
      ...errorResponses({
        400: '`agent_address` is not an IP address, or an unknown parameter',
        429: 'Too many enrolment attempts from this address',
      }),
    },
  });

  app.get('/v1/agents/network-proposal', async (c) => {
    const address = clientAddress(c);
    await enforceRateLimit(
      deps.redis,
      COLLECTOR_KEYS.enrolmentRate(address),
      { limit: deps.limits.enrolmentsPerMinutePerAddress, windowMs: 60_000 },
      'enrolment from one address',
    );
    const query = ProposalQuery.safeParse(c.req.query());
    if (!query.success) {
      throw new HttpError(400, 'invalid_query', `bad proposal query: ${z.prettifyError(query.error)}`);
    }
    const proposal = proposeNetwork(
      deps.geoIp,
      address,
      query.data.agent_address ?? null,
      deps.addressEchoUrl,
    );
    return c.json(proposal, 200);
  });
}
