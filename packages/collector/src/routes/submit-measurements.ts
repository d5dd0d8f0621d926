import { issuesOf, type Measurement, SubmissionBatch, SubmissionResult } from '@reachmap/schema';
import { clientAddress, errorResponses, HttpError } from '@reachmap/server-kit';
import { getTracer, traceContextOfHeaders, withSpan, withTraceContext } from '@reachmap/telemetry';
import type { MiddlewareHandler } from 'hono';
import { type ObservedNetwork, recordAgentActivity } from '../agents/agent-store.ts';
import { observeNetwork } from '../geoip/geoip-lookup.ts';
import type { CollectorEnv } from '../http/collector-env.ts';
import { decodeJsonBody } from '../http/request-body.ts';
import { enforceBackpressure } from '../limits/backpressure.ts';
import { type Admission, admitMeasurements, EnqueueFailedError } from '../submission/admit-measurements.ts';
import { knownTargetIds } from '../submission/catalogue-targets.ts';
import { submittedMeasurementSignatures } from '../submission/measurement-signatures.ts';
import { triageBatch } from '../submission/triage-batch.ts';
import type { CollectorApp, RouteDeps } from './route-deps.ts';
import { SignatureHeaders } from './signature-headers.ts';

const tracer = getTracer('collector');

export function registerSubmitRoute(
  app: CollectorApp,
  deps: RouteDeps,
  signed: MiddlewareHandler<CollectorEnv>,
): void {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/measurements',
    summary: 'Submit a signed batch of measurements (optionally Content-Encoding: gzip)',
    request: {
      headers: SignatureHeaders,
      body: { required: true, content: { 'application/json': { schema: SubmissionBatch } } },
    },
    responses: {
      202: {
        description: 'Batch processed: accepted, duplicate and rejected items listed',
        content: { 'application/json': { schema: SubmissionResult } },
      },
      ...errorResponses({
        400: 'Malformed JSON or bad gzip',
        401: 'Missing, invalid or expired signature, replayed nonce, unknown agent',
        403: 'Agent revoked',
        413: 'Body too large, on the wire or decompressed',
        415: 'Not application/json, or an encoding other than gzip',
        422: 'Body does not match SubmissionBatch',
        429: 'Agent rate limit; see Retry-After',
        503: 'Backpressure or queue unavailable; keep the batch and retry after Retry-After',
      }),
    },
  });

  app.post('/v1/measurements', signed, async (c) =>
    // An agent's W3C trace context (`traceparent`), when it sends one, makes this span its child.
    withTraceContext(traceContextOfHeaders(c.req.raw.headers), () =>
      withSpan(tracer, 'collector.submit', {}, async (span) => {
        const agent = c.get('agent');
        const requestId = c.get('requestId');
        await enforceBackpressure(deps.redis, deps.queue, deps.limits.backpressure);
        const body = await decodeJsonBody(c.req.raw.headers, c.get('wireBody'), deps.limits.maxDecodedBytes);
        const batch = SubmissionBatch.safeParse(body);
        if (!batch.success) {
          throw new HttpError(422, 'invalid_batch', 'the body does not match SubmissionBatch', {
            details: issuesOf(batch.error),
          });
        }
        const now = deps.now();
        const address = clientAddress(c);
        const observed = deps.geoIp === null ? null : observeNetwork(deps.geoIp, address, agent.network, now);
        const triaged = triageBatch(
          batch.data.measurements,
          {
            id: agent.id,
            network: agent.network,
            simulated: agent.simulated,
            // An exempt agent uploads through a tunnel abroad; its address is observed, not compared.
            addressCountry: agent.address_exemption === null ? (observed?.country ?? null) : null,
            knownTargets: await knownTargetIds(deps.config.catalogue),
          },
          now,
        );
        let admission: Admission;
        try {
          admission = await admitMeasurements(deps.redis, deps.queue, {
            agentId: agent.id,
            measurements: triaged.candidates,
            now,
            signaturesOf: (fresh) => keptSignatures(deps, agent, batch.data, fresh, requestId),
          });
        } catch (error) {
          if (!(error instanceof EnqueueFailedError)) throw error;
          deps.logger.error({ requestId, agentId: agent.id, err: error }, 'enqueue failed');
          throw new HttpError(503, 'enqueue_failed', 'the batch could not be queued; keep it and retry', {
            retryAfterS: deps.limits.backpressure.retryAfterS,
          });
        }
        const { batchId, fresh, seen } = admission;
        span.setAttributes({
          'reachmap.agent_id': agent.id,
          'reachmap.batch_id': batchId,
          'reachmap.accepted': fresh.length,
        });
        if (admission.markFailure !== null) {
          // The job is queued, so nothing is lost; a re-send would only make a duplicate job.
          deps.logger.warn(
            { requestId, agentId: agent.id, batchId, err: admission.markFailure },
            'marking ids seen failed',
          );
        }

        const duplicates = [
          ...triaged.candidates.filter((m) => seen.has(m.id)).map((m) => m.id),
          ...triaged.repeatedInBatch,
        ];
        const spoolDropped = batch.data.spool_dropped?.count ?? 0;
        await recordActivity(deps, agent.id, { now, spoolDropped, observed }, requestId);

        deps.metrics.accepted.inc(fresh.length);
        deps.metrics.duplicates.inc(duplicates.length);
        for (const item of triaged.rejected) deps.metrics.rejected.inc({ reason: item.reason });
        if (spoolDropped > 0) deps.metrics.spoolDropped.inc({ agent_id: agent.id }, spoolDropped);
        deps.logger.debug(
          {
            requestId,
            agentId: agent.id,
            batchId,
            accepted: fresh.length,
            duplicates: duplicates.length,
            rejected: triaged.rejected.length,
            spoolDropped,
          },
          'batch processed',
        );
        const result: SubmissionResult = {
          batch_id: batchId,
          accepted: fresh.map((measurement) => measurement.id),
          duplicates,
          rejected: triaged.rejected.map((item) => item.entry),
        };
        return c.json(result, 202);
      }),
    ),
  );
}

/**
 * The per-measurement signatures behind evidence bundles, queued with the job (form-checked, the first
 * verified as a canary; bundles verify each they show); a failure here must not turn an accepted batch
 * into an error (the measurements are queued; their bundles will show them unsigned).
 */
function keptSignatures(
  deps: RouteDeps,
  agent: CollectorEnv['Variables']['agent'],
  batch: SubmissionBatch,
  fresh: readonly Measurement[],
  requestId: string,
): Record<string, string> {
  try {
    const { signatures, malformed, failedCanary } = submittedMeasurementSignatures(
      agent.public_key,
      batch,
      fresh,
    );
    if (failedCanary !== null)
      deps.logger.warn(
        { requestId, agentId: agent.id, measurementId: failedCanary },
        "a measurement signature does not verify with the agent's key: the batch's signatures were not kept",
      );
    if (malformed.length > 0)
      deps.logger.warn(
        { requestId, agentId: agent.id, measurementIds: malformed.slice(0, 10), count: malformed.length },
        'measurement signatures that are not Ed25519 signatures were not kept',
      );
    return signatures;
  } catch (error) {
    deps.logger.warn({ requestId, agentId: agent.id, err: error }, 'reading measurement signatures failed');
    return {};
  }
}

/** Last seen, GeoIP observation and spool losses; a failure here must not turn an accepted batch into an error. */
async function recordActivity(
  deps: RouteDeps,
  agentId: string,
  activity: { now: number; spoolDropped: number; observed: ObservedNetwork | null },
  requestId: string,
): Promise<void> {
  try {
    await recordAgentActivity(deps.redis, agentId, {
      seenAt: new Date(activity.now).toISOString(),
      observed: activity.observed,
      spoolDropped: activity.spoolDropped,
    });
  } catch (error) {
    deps.logger.warn({ requestId, agentId, err: error }, 'recording agent activity failed');
  }
}
