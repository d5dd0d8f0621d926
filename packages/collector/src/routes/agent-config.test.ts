import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAgent } from '../agents/agent-store.ts';
import { enrolAgent, type Harness, startHarness, type TestCollector } from '../testing/collector-harness.ts';

let harness: Harness;
let collector: TestCollector;

beforeAll(async () => {
  harness = await startHarness();
  collector = harness.build();
});

afterAll(async () => {
  await harness?.close();
});

describe('GET /v1/agents/me/config with a version report', () => {
  it('records the running version and the self-update state for the agent list', async () => {
    const agent = await enrolAgent(collector, harness.redis);
    expect(await findAgent(harness.redis, agent.id)).toMatchObject({
      running_version: '0.1.0',
      update: null,
    });

    const response = await agent.send(
      'GET',
      '/v1/agents/me/config?version=0.2.0&update=refused&update_reason=hash_mismatch',
    );
    expect(response.status).toBe(200);
    expect(await findAgent(harness.redis, agent.id)).toMatchObject({
      running_version: '0.2.0',
      update: { state: 'refused', reason: 'hash_mismatch' },
    });

    const plain = await agent.send('GET', '/v1/agents/me/config');
    expect(plain.status).toBe(200);
    expect((await findAgent(harness.redis, agent.id))?.running_version).toBe('0.2.0');
  });

  it('answers 400 to a malformed report and records nothing', async () => {
    const agent = await enrolAgent(collector, harness.redis);
    for (const query of ['version=1.0;rm', 'update=exploded', 'update_reason=a%20b', 'other=1']) {
      const response = await agent.send('GET', `/v1/agents/me/config?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_query' } });
    }
    expect(await findAgent(harness.redis, agent.id)).toMatchObject({
      running_version: '0.1.0',
      update: null,
    });
  });
});
