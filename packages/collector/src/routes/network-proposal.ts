import { NetworkProposal } from '@reachmap/schema';
import { clientAddress, enforceRateLimit, errorResponses } from '@reachmap/server-kit';
import { proposeNetwork } from '../enrolment/network-proposal.ts';
import { COLLECTOR_KEYS } from '../redis-keys.ts';
import type { CollectorApp, RouteDeps } from './route-deps.ts';

/**
 * Asked by `reachmap-agent enroll` before it enrols, so the operator confirms a detected network
 * instead of typing one. Unauthenticated like enrolment, and counted against the same per-address
 * budget: it tells a caller no more than its own address and what the database says about it.
 */
export function registerNetworkProposalRoute(app: CollectorApp, deps: RouteDeps): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/agents/network-proposal',
    summary: 'The network the collector places the caller in (its address and the GeoIP database)',
    responses: {
      200: { description: 'Proposal', content: { 'application/json': { schema: NetworkProposal } } },
      ...errorResponses({ 429: 'Too many enrolment attempts from this address' }),
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
    return c.json(proposeNetwork(deps.geoIp, address), 200);
  });
}
