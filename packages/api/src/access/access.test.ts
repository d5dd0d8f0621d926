import { Command, runProgram } from '@reachmap/command-line';
import type { RedisClient } from '@reachmap/queue';
import { startTestRedis } from '@reachmap/queue/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysCommand } from '../admin/keys-command.ts';
import { type ApiHarness, bearer, startTestApi } from '../testing/api-harness.ts';
import { listApiKeys } from './api-keys.ts';

let redis: Awaited<ReturnType<typeof startTestRedis>>;

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => await redis.stop());

function expectErrorShape(body: unknown, code: string) {
  expect(body).toEqual({
    error: { code, message: expect.any(String), requestId: expect.stringMatching(/^req_/) },
  });
}

describe('with anonymous reads off and no webhook allowlist', () => {
  let harness: ApiHarness;
  beforeAll(async () => {
    harness = await startTestApi(redis.server, redis.redis, {
      access: {
        anonymousRead: false,
        perAddress: { limit: 1000, windowMs: 60_000 },
        perKey: { limit: 1000, windowMs: 60_000 },
      },
      webhooks: { allowedCidrs: [], secretOverlapMs: 60_000, timeoutMs: 1000 },
    });
  });
  afterAll(async () => await harness.stop());

  it('refuses anonymous reads with 401 and the one error shape', async () => {
    const response = await fetch(`${harness.api.url}/v1/targets`);
    expect(response.status).toBe(401);
    expectErrorShape(await response.json(), 'unauthenticated');
  });

  it('answers a read key, and refuses unknown keys', async () => {
    expect((await fetch(`${harness.api.url}/v1/targets`, { headers: bearer(harness.readKey) })).status).toBe(
      200,
    );
    const unknown = await fetch(`${harness.api.url}/v1/targets`, { headers: bearer('rmk_not-a-real-key') });
    expect(unknown.status).toBe(401);
  });

  it('forbids webhook management to a read key (403) and to anonymous clients (401)', async () => {
    const create = { method: 'POST', body: JSON.stringify({ url: 'https://93.184.216.34/x' }) };
    const json = { 'content-type': 'application/json' };
    const asReader = await fetch(`${harness.api.url}/v1/webhooks`, {
      ...create,
      headers: { ...json, ...bearer(harness.readKey) },
    });
    expect(asReader.status).toBe(403);
    expectErrorShape(await asReader.json(), 'forbidden');
    expect((await fetch(`${harness.api.url}/v1/webhooks`, { headers: bearer(harness.readKey) })).status).toBe(
      403,
    );
    expect((await fetch(`${harness.api.url}/v1/webhooks`, { ...create, headers: json })).status).toBe(401);
  });

  it.each([
    'http://127.0.0.1/hook',
    'http://10.0.0.1/hook',
    'http://172.16.0.1/hook',
    'http://192.168.1.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hook',
    'http://[fc00::1]/hook',
    'http://localhost/hook',
  ])('refuses to register %s (SSRF guard, before any connection)', async (url) => {
    const response = await fetch(`${harness.api.url}/v1/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(harness.adminKey) },
      body: JSON.stringify({ url }),
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: { code: string; details: Array<{ path: string }> } };
    expect(body.error.code).toBe('unsafe_destination');
    expect(body.error.details[0]?.path).toBe('/json/url');
  });
});

describe('with anonymous reads on', () => {
  let harness: ApiHarness;
  beforeAll(async () => {
    harness = await startTestApi(redis.server, redis.redis, {
      access: {
        anonymousRead: true,
        perAddress: { limit: 3, windowMs: 60_000 },
        perKey: { limit: 20, windowMs: 60_000 },
      },
    });
  });
  afterAll(async () => await harness.stop());

  it('lets anonymous clients read, then limits them per address with 429 and Retry-After', async () => {
    await redis.redis.del('rm:rate:api-ip:127.0.0.1');
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let request = 0; request < 4; request += 1) {
      last = await fetch(`${harness.api.url}/v1/targets`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    const refusal = (await last?.json()) as { error: { code: string; requestId: string } };
    expect(refusal.error).toMatchObject({ code: 'rate_limited', requestId: expect.stringMatching(/^req_/) });
    // A key has its own budget, apart from the address's.
    expect((await fetch(`${harness.api.url}/v1/targets`, { headers: bearer(harness.readKey) })).status).toBe(
      200,
    );
  });

  it('never shows or logs secrets after creation', async () => {
    const admin = { ...bearer(harness.adminKey), 'content-type': 'application/json' };
    const created = await fetch(`${harness.api.url}/v1/webhooks`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ url: 'http://127.0.0.1:9/hook' }),
    });
    const { id, secret } = (await created.json()) as { id: string; secret: string };
    expect(secret).toMatch(/^whsec_/);
    const rotated = (await (
      await fetch(`${harness.api.url}/v1/webhooks/${id}/rotate-secret`, { method: 'POST', headers: admin })
    ).json()) as { secret: string };
    const later = [
      await (await fetch(`${harness.api.url}/v1/webhooks/${id}`, { headers: admin })).text(),
      await (await fetch(`${harness.api.url}/v1/webhooks`, { headers: admin })).text(),
      await (await fetch(`${harness.api.url}/v1/webhooks?format=csv`, { headers: admin })).text(),
    ];
    for (const text of later) {
      expect(text).toContain(id);
      expect(text).not.toContain('whsec_');
    }
    const logs = harness.logs.join('\n');
    expect(logs).toContain(id);
    for (const leaked of [secret, rotated.secret, harness.adminKey, harness.readKey, 'whsec_', 'rmk_']) {
      expect(logs).not.toContain(leaked);
    }
  });
});

/** `reachmap admin keys <args>` against `redis`, parsed as the CLI parses it. */
async function runKeysCommand(args: string[], redis: RedisClient, print: (line: string) => void) {
  const program = new Command('reachmap');
  program.command('admin').addCommand(keysCommand((use) => use(redis), print));
  return await runProgram(program, ['admin', 'keys', ...args], { out: print, err: print });
}

describe('reachmap admin keys', () => {
  it('creates a key shown once, lists it without the secret, and revokes it', async () => {
    const lines: string[] = [];
    const print = (line: string) => lines.push(line);
    expect(
      await runKeysCommand(['create', '--role', 'read', '--label', 'newsroom'], redis.redis, print),
    ).toBe(0);
    const secret = lines.join('\n').match(/rmk_[A-Za-z0-9_-]+/)?.[0];
    expect(secret).toBeDefined();
    const stored = JSON.stringify(await redis.redis.hgetall('rm:api-keys'));
    expect(stored).not.toContain(String(secret));

    lines.length = 0;
    expect(await runKeysCommand(['list'], redis.redis, print)).toBe(0);
    expect(lines.join('\n')).toContain('newsroom');
    expect(lines.join('\n')).not.toContain('rmk_');

    const key = (await listApiKeys(redis.redis)).find((entry) => entry.label === 'newsroom');
    expect(await runKeysCommand(['revoke', String(key?.id)], redis.redis, print)).toBe(0);
    expect((await listApiKeys(redis.redis)).find((entry) => entry.id === key?.id)?.revoked_at).not.toBeNull();
    expect(await runKeysCommand(['create', '--role', 'root', '--label', 'x'], redis.redis, print)).toBe(2);
    expect(await runKeysCommand(['revoke', 'key_doesnotexist000000'], redis.redis, print)).toBe(1);
    lines.length = 0;
    expect(await runKeysCommand(['create', '--label', 'x'], redis.redis, print)).toBe(2);
    expect(lines.join('\n')).toContain(
      "reachmap admin keys create: required option '--role <role>' not specified",
    );
  });
});
