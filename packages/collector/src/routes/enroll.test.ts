import {
  exportPublicKey,
  generateAgentKeyPair,
  importPublicKey,
  verifyAgentConfig,
} from '@reachmap/agent-auth';
import { EnrollResponse, ErrorBody } from '@reachmap/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrolmentToken } from '../admin/create-token.ts';
import { listAgents } from '../admin/list-agents.ts';
import {
  DECLARED_NETWORK,
  type Harness,
  startHarness,
  type TestCollector,
} from '../testing/collector-harness.ts';

let harness: Harness;
let collector: TestCollector;
beforeAll(async () => {
  harness = await startHarness();
  collector = harness.build();
});
afterAll(async () => await harness.close());

function enrol(
  target: TestCollector,
  token: string,
  publicKey = exportPublicKey(generateAgentKeyPair().publicKey),
) {
  return target.request('/v1/agents/enroll', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token,
      public_key: publicKey,
      network: DECLARED_NETWORK,
      software: { name: 'reachmap-agent', version: '0.1.0' },
      label: 'lab agent',
    }),
  });
}

describe('POST /v1/agents/enroll', () => {
  it('enrols with a token once, returning an agt_ id and a configuration signed by the collector', async () => {
    const { token } = await createEnrolmentToken(harness.redis, { label: 'msk-1', expiresInMs: 60_000 });
    const first = await enrol(collector, token);
    expect(first.status).toBe(201);
    const body = EnrollResponse.parse(await first.json());
    expect(body.agent_id).toMatch(/^agt_/);
    expect(body.config.config.agent_id).toBe(body.agent_id);
    expect(body.config.config.schedule).toEqual({
      interval_s: 300,
      jitter_s: 30,
      round_deadline_s: 240,
      concurrency: 8,
    });
    expect(verifyAgentConfig(body.config, importPublicKey(body.collector_public_key))).toBe(true);
    expect((await listAgents(harness.redis)).map((agent) => agent.id)).toContain(body.agent_id);

    const second = await enrol(collector, token);
    expect(second.status).toBe(401);
    expect(ErrorBody.parse(await second.json()).error.code).toBe('token_invalid');
  });

  it('lets exactly one of two concurrent enrolments with the same token through', async () => {
    const { token } = await createEnrolmentToken(harness.redis, { label: 'race', expiresInMs: 60_000 });
    const statuses = (await Promise.all([enrol(collector, token), enrol(collector, token)])).map(
      (r) => r.status,
    );
    expect(statuses.sort()).toEqual([201, 401]);
  });

  it('refuses an expired token', async () => {
    const { token } = await createEnrolmentToken(harness.redis, { label: 'old', expiresInMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const response = await enrol(collector, token);
    expect(response.status).toBe(401);
    expect(ErrorBody.parse(await response.json()).error.code).toBe('token_invalid');
  });

  it('refuses a malformed public key without using up the token', async () => {
    const { token } = await createEnrolmentToken(harness.redis, { label: 'typo', expiresInMs: 60_000 });
    const bad = await enrol(collector, token, 'not-a-key');
    expect(bad.status).toBe(422);
    const error = ErrorBody.parse(await bad.json()).error;
    expect(error.code).toBe('invalid_enrolment');
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/public_key' })]));
    expect((await enrol(collector, token)).status).toBe(201);
  });

  it('stores only a hash of the token', async () => {
    const { token } = await createEnrolmentToken(harness.redis, { label: 'hash', expiresInMs: 60_000 });
    const keys = await harness.redis.keys('rm:enrol-token:*');
    const values = await Promise.all(keys.map((key) => harness.redis.get(key)));
    expect([...keys, ...values].join('\n')).not.toContain(token);
    expect(keys.length).toBeGreaterThan(0);
  });

  it('limits enrolment attempts per source address with 429 and Retry-After', async () => {
    const limited = harness.build({ limits: { enrolmentsPerMinutePerAddress: 2 } });
    await harness.redis.del('rm:rate:enrol:127.0.0.1');
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      last = await enrol(limited, 'rmt_wrong-token-wrong-token');
      statuses.push(last.status);
    }
    await harness.redis.del('rm:rate:enrol:127.0.0.1');
    expect(statuses).toEqual([401, 401, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
