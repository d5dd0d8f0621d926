import { importPublicKey } from '@reachmap/agent-auth';
import { EnrollRequest, EnrollResponse, issuesOf, newPrefixedId } from '@reachmap/schema';
import { clientAddress, enforceRateLimit, errorResponses, HttpError } from '@reachmap/server-kit';
import { signedConfigFor } from '../agent-config/agent-config.ts';
import { saveNewAgent } from '../agents/agent-store.ts';
import { consumeEnrolmentToken } from '../enrolment/enrolment-tokens.ts';
import { compareOwnView } from '../enrolment/network-proposal.ts';
import { observeNetwork } from '../geoip/geoip-lookup.ts';
import { decodeJsonBody, readWireBody } from '../http/request-body.ts';
import { COLLECTOR_KEYS } from '../redis-keys.ts';
import type { CollectorApp, RouteDeps } from './route-deps.ts';

/** An enrolment request is a few hundred bytes; anything near this is not one. */
const MAX_ENROL_BODY_BYTES = 64 * 1024;

export function registerEnrollRoute(app: CollectorApp, deps: RouteDeps): void {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/agents/enroll',
    summary: 'Enrol an agent with a one-time token and its Ed25519 public key',
    request: { body: { required: true, content: { 'application/json': { schema: EnrollRequest } } } },
    responses: {
      201: { description: 'Enrolled', content: { 'application/json': { schema: EnrollResponse } } },
      ...errorResponses({
        400: 'Malformed JSON',
        401: 'Unknown, used or expired token',
        413: 'Body too large',
        415: 'Not application/json',
        422: 'Request does not match EnrollRequest',
        429: 'Too many enrolment attempts from this address',
      }),
    },
  });

  app.post('/v1/agents/enroll', async (c) => {
    const address = clientAddress(c);
    await enforceRateLimit(
      deps.redis,
      COLLECTOR_KEYS.enrolmentRate(address),
      { limit: deps.limits.enrolmentsPerMinutePerAddress, windowMs: 60_000 },
      'enrolment from one address',
    );
    const wire = await readWireBody(c.req.raw, MAX_ENROL_BODY_BYTES);
    const parsed = EnrollRequest.safeParse(
      await decodeJsonBody(c.req.raw.headers, wire, MAX_ENROL_BODY_BYTES),
    );
    if (!parsed.success) {
      throw new HttpError(422, 'invalid_enrolment', 'the enrolment request does not match EnrollRequest', {
        details: issuesOf(parsed.error),
      });
    }
    const request = parsed.data;
    try {
      importPublicKey(request.public_key);
    } catch (error) {
      // Checked before the token is used up, so a mangled key does not cost the operator a token.
      throw new HttpError(422, 'invalid_public_key', (error as Error).message, {
        details: [{ path: '/public_key', message: (error as Error).message }],
      });
    }
    const now = deps.now();
    const agentId = newPrefixedId('agt');
    // The configuration is built before the token is consumed: if the catalogue cannot be read,
    // the request fails with the token still valid.
    const config = await signedConfigFor(agentId, deps.config, now);
    const grant = await consumeEnrolmentToken(deps.redis, request.token, now);
    if (grant === null) {
      throw new HttpError(401, 'token_invalid', 'the enrolment token is unknown, already used or expired');
    }
    const observed = deps.geoIp === null ? null : observeNetwork(deps.geoIp, address, request.network, now);
    const agentView =
      request.agent_address === undefined ? null : compareOwnView(deps.geoIp, address, request.agent_address);
    await saveNewAgent(deps.redis, {
      id: agentId,
      public_key: request.public_key,
      label: request.label ?? null,
      token_label: grant.label,
      network: request.network,
      software: request.software,
      enrolled_at: new Date(now).toISOString(),
      revoked_at: null,
      last_seen_at: null,
      observed,
      spool_dropped_total: 0,
      simulated: grant.simulated,
      running_version: request.software.version,
      update: null,
      network_override_reason: request.network_override_reason ?? null,
      agent_view: agentView,
    });
    deps.logger.info(
      {
        requestId: c.get('requestId'),
        agentId,
        tokenLabel: grant.label,
        geoMismatch: observed?.mismatch ?? null,
        viewsAgree: agentView?.agrees ?? null,
      },
      'agent enrolled',
    );
    const response: EnrollResponse = {
      agent_id: agentId,
      collector_public_key: deps.config.signingKey.publicKeyBase64url,
      config,
    };
    return c.json(response, 201);
  });
}
