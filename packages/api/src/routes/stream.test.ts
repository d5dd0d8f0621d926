import { startTestRedis } from '@reachmap/queue/testing';
import { sampleValue } from '@reachmap/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, appendEvent, sampleEvent, startTestApi } from '../testing/api-harness.ts';

interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads SSE frames from a streaming response as they arrive. */
function sseReader(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const frames: SseFrame[] = [];
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame: SseFrame = {};
        for (const line of buffer.slice(0, end).split('\n')) {
          if (line.startsWith(':')) frame.comment = line.slice(1).trim();
          const [field, ...rest] = line.split(': ');
          if (field === 'id' || field === 'event' || field === 'data') frame[field] = rest.join(': ');
        }
        frames.push(frame);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
    }
  })();
  return {
    frames,
    async next(count: number, timeoutMs: number): Promise<SseFrame[]> {
      const deadline = Date.now() + timeoutMs;
      while (frames.filter((frame) => frame.data !== undefined).length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} events within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return frames.filter((frame) => frame.data !== undefined);
    },
    async close() {
      await reader.cancel();
      await pump;
    },
  };
}

let redis: Awaited<ReturnType<typeof startTestRedis>>;
let harness: ApiHarness;

beforeAll(async () => {
  redis = await startTestRedis();
  harness = await startTestApi(redis.server, redis.redis, { heartbeatMs: 300 });
});
afterAll(async () => {
  await harness.stop();
  await redis.stop();
});

describe('GET /v1/stream', () => {
  it('delivers a new event within seconds, with the stream entry id as SSE id', async () => {
    const response = await fetch(`${harness.api.url}/v1/stream`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const stream = sseReader(response);
    // Let the server take its starting position before the event is appended.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const event = sampleEvent();
    const appendedAt = Date.now();
    const entryId = await appendEvent(redis.redis, event);
    const [frame] = await stream.next(1, 3000);
    expect(Date.now() - appendedAt).toBeLessThan(3000);
    expect(frame).toMatchObject({ id: entryId, event: 'block.started' });
    expect(JSON.parse(String(frame?.data))).toEqual(event);
    await stream.close();
  });

  it('serves the number of open streams as reachmap_api_sse_clients', async () => {
    const clients = async () =>
      sampleValue(await (await fetch(`${harness.api.url}/metrics`)).text(), 'reachmap_api_sse_clients') ?? -1;
    const settlesAt = async (expected: number) => {
      const deadline = Date.now() + 3000;
      while ((await clients()) !== expected && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      return await clients();
    };
    // Streams of earlier tests end on the server a moment after their clients hung up.
    expect(await settlesAt(0)).toBe(0);
    const stream = sseReader(await fetch(`${harness.api.url}/v1/stream`));
    expect(await clients()).toBe(1);
    await stream.close();
    expect(await settlesAt(0)).toBe(0);
  });

  it('sends heartbeat comments while idle', async () => {
    const stream = sseReader(await fetch(`${harness.api.url}/v1/stream`));
    const deadline = Date.now() + 3000;
    while (!stream.frames.some((frame) => frame.comment === 'heartbeat') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(stream.frames.some((frame) => frame.comment === 'heartbeat')).toBe(true);
    await stream.close();
  });

  it('resumes after Last-Event-ID without gaps or repeats', async () => {
    const first = sseReader(await fetch(`${harness.api.url}/v1/stream`));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = sampleEvent({ scope: 'AS64501' });
    await appendEvent(redis.redis, before);
    const [seen] = await first.next(1, 3000);
    await first.close();

    // Missed while disconnected.
    const missed = [sampleEvent({ type: 'block.ended' }), sampleEvent({ scope: 'RU-SPE' })];
    for (const event of missed) await appendEvent(redis.redis, event);

    const resumed = sseReader(
      await fetch(`${harness.api.url}/v1/stream`, { headers: { 'last-event-id': String(seen?.id) } }),
    );
    const later = sampleEvent({ scope: 'IR-07' });
    await appendEvent(redis.redis, later);
    const frames = await resumed.next(3, 3000);
    expect(frames.map((frame) => (JSON.parse(String(frame.data)) as { id: string }).id)).toEqual([
      ...missed.map((event) => event.id),
      later.id,
    ]);
    await resumed.close();
  });

  it('filters by scope', async () => {
    const stream = sseReader(await fetch(`${harness.api.url}/v1/stream?scope=IR-07`));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await appendEvent(redis.redis, sampleEvent({ scope: 'RU-MOW' }));
    const wanted = sampleEvent({ scope: 'IR-07' });
    await appendEvent(redis.redis, wanted);
    const [frame] = await stream.next(1, 3000);
    expect((JSON.parse(String(frame?.data)) as { id: string }).id).toBe(wanted.id);
    await stream.close();
  });
});
