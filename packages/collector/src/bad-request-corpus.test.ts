import { gzipSync } from 'node:zlib';
import { EnrollResponse, ErrorBody, SignedAgentConfig, SubmissionResult } from '@reachmap/schema';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enrolAgent,
  type Harness,
  startHarness,
  type TestAgent,
  type TestCollector,
} from './testing/collector-harness.ts';

/** Deterministic random source (pure-rand's xoroshiro128+), so a failing case can be reproduced from its index. */
function prng(seed: number) {
  const rng = xoroshiro128plus(seed);
  /** Integer in [0, max), 0 for an empty range. */
  const int = (max: number) => (max <= 1 ? 0 : uniformInt(rng, 0, max - 1));
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next: () => uniformFloat64(rng), int, pick };
}

type Random = ReturnType<typeof prng>;

const WEIRD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  -0,
  2 ** 53 + 1,
  '',
  'x'.repeat(5000),
  '\u0000',
  '\ud800',
  '💥',
  [],
  {},
  [[[]]],
  { $ref: '#' },
  { __proto__: { polluted: true } },
  '2026-13-45T99:99:99Z',
  'agt_',
  'NaN',
  [null, 1, 'a'],
];

function mutateValue(random: Random, value: unknown, depth = 0): unknown {
  if (depth > 4 || random.next() < 0.25) return random.pick(WEIRD_VALUES);
  if (Array.isArray(value)) {
    const copy = [...value];
    if (copy.length > 0 && random.next() < 0.5)
      copy[random.int(copy.length)] = mutateValue(random, copy[random.int(copy.length)], depth + 1);
    else copy.push(random.pick(WEIRD_VALUES));
    return copy;
  }
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const key = keys.length > 0 && random.next() < 0.8 ? random.pick(keys) : `extra_${random.int(10)}`;
    if (random.next() < 0.15) delete copy[key];
    else copy[key] = mutateValue(random, copy[key], depth + 1);
    return copy;
  }
  return random.pick(WEIRD_VALUES);
}

function randomBytes(random: Random, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let index = 0; index < length; index += 1) bytes[index] = random.int(256);
  return bytes;
}

function bodyVariant(random: Random, valid: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(mutateValue(random, valid)));
  switch (random.int(8)) {
    case 0:
      return randomBytes(random, random.int(2000));
    case 1:
      return json.subarray(0, random.int(json.length));
    case 2:
      return Buffer.from('['.repeat(50_000 + random.int(50_000)));
    case 3:
      return Buffer.from(JSON.stringify(random.pick(WEIRD_VALUES)));
    case 4: {
      const flipped = Buffer.from(json);
      for (let flips = 0; flips < 5; flips += 1) flipped[random.int(flipped.length)] = random.int(256);
      return flipped;
    }
    default:
      return json;
  }
}

function headerVariant(random: Random, headers: Record<string, string>): Record<string, string> {
  const copy = { ...headers };
  const keys = Object.keys(copy);
  if (keys.length === 0 || random.next() < 0.5) return copy;
  const key = random.pick(keys);
  const choice = random.int(5);
  if (choice === 0) delete copy[key];
  else if (choice === 1) copy[key] = 'garbage';
  else if (choice === 2)
    copy[key] = random.pick(['', '-1', '99999999999999', 'agt_::*', 'x'.repeat(4000), 'gzip, br']);
  else if (choice === 3)
    copy[key] = randomBytes(random, 20)
      .toString('latin1')
      .replace(/[\r\n\0]/g, '');
  else copy[key] = copy[key]?.slice(0, random.int(copy[key]?.length ?? 1)) ?? '';
  return copy;
}

const RESPONSE_SHAPES = [ErrorBody, SubmissionResult, SignedAgentConfig, EnrollResponse];

let harness: Harness;
let collector: TestCollector;
let agent: TestAgent;
beforeAll(async () => {
  harness = await startHarness();
  collector = harness.build({ limits: { maxWireBytes: 256 * 1024, maxDecodedBytes: 512 * 1024 } });
  agent = await enrolAgent(collector, harness.redis);
});
afterAll(async () => await harness.close());

describe('bad-request corpus', () => {
  it('answers thousands of mutated requests with a 4xx/2xx and a documented body, never a 5xx', async () => {
    const random = prng(20261123);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const validBatch = {
      measurements: [agent.measurement(), agent.measurement()],
      spool_dropped: { count: 1, since: new Date().toISOString() },
    };
    const validEnrolment = {
      token: 'rmt_not-a-real-token-000000',
      public_key: agent.enrolment.collector_public_key,
      network: { country: 'RU', region: 'RU-MOW', asn: 64500, network_type: 'fixed' },
      software: { name: 'reachmap-agent', version: '0.1.0' },
    };
    for (let index = 0; index < 3000; index += 1) {
      const route = random.pick([
        '/v1/measurements',
        '/v1/measurements',
        '/v1/agents/enroll',
        '/v1/agents/me/config',
        '/v1/nothing',
      ]);
      const method =
        random.next() < 0.9
          ? route === '/v1/agents/me/config'
            ? 'GET'
            : 'POST'
          : random.pick(['PUT', 'DELETE', 'PATCH', 'GET']);
      let body =
        method === 'GET'
          ? Buffer.alloc(0)
          : bodyVariant(random, route === '/v1/agents/enroll' ? validEnrolment : validBatch);
      const baseHeaders: Record<string, string> = {
        'content-type': random.pick([
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/json',
          '',
        ]),
      };
      if (random.next() < 0.3) {
        baseHeaders['content-encoding'] = random.pick(['gzip', 'gzip', 'br', 'identity', 'GZIP']);
        if (baseHeaders['content-encoding'] === 'gzip' && random.next() < 0.6) body = gzipSync(body);
      }
      const signed =
        random.next() < 0.8 ? agent.sign(method, route, body, random.next() < 0.05 ? 0 : undefined) : {};
      const headers = headerVariant(random, { ...baseHeaders, ...signed });
      const init: RequestInit = {
        method,
        headers,
        ...(method === 'GET' || method === 'DELETE' ? {} : { body }),
      };
      const response = await collector.request(route, init);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const shaped = RESPONSE_SHAPES.some((shape) => shape.safeParse(parsed).success);
      if (response.status >= 500 || !shaped) {
        failures.push(`#${index} ${method} ${route} → ${response.status} ${text.slice(0, 200)}`);
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    // The corpus must reach deep into the pipeline, not stop at one early check.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([202, 400, 401, 404, 413, 415, 422]));
  }, 120_000);
});
