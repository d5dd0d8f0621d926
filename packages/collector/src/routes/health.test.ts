import { ErrorBody } from '@reachmap/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../testing/collector-harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => await harness.close());

describe('health and documentation endpoints', () => {
  it('serves an OpenAPI 3.1 document covering the agent API', async () => {
    const response = await harness.build().request('/v1/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/v1/agents/enroll',
      '/v1/agents/me/config',
      '/v1/agents/network-proposal',
      '/v1/measurements',
    ]);
  });

  it('answers unknown routes with the error shape', async () => {
    const response = await harness.build().request('/v2/anything');
    expect(response.status).toBe(404);
    expect(ErrorBody.parse(await response.json()).error.code).toBe('not_found');
  });

  it('reports ready while Redis answers and 503 once it is gone, while /healthz stays up', async () => {
    const collector = harness.build();
    expect((await collector.request('/readyz')).status).toBe(200);
    await harness.embedded.stop();
    const notReady = await collector.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(ErrorBody.parse(await notReady.json()).error.code).toBe('not_ready');
    expect(notReady.headers.get('retry-after')).not.toBeNull();
    expect((await collector.request('/healthz')).status).toBe(200);
  });
});
