import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { startTelemetrySdk, telemetryRequested } from './sdk.ts';
import { getTracer, injectTraceContext, withSpan, withSpanCausedBy, withTraceContext } from './tracing.ts';

const received: { path: string | undefined; body: Buffer }[] = [];
const collector = createServer((request: IncomingMessage, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received.push({ path: request.url, body: Buffer.concat(chunks) });
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

describe('OpenTelemetry wiring', () => {
  it('stays off unless OTEL_* variables ask for it', () => {
    expect(telemetryRequested({})).toBe(false);
    expect(telemetryRequested({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(telemetryRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(
      telemetryRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }),
    ).toBe(false);
  });

  it('is a no-op without the SDK', async () => {
    const sdk = await startTelemetrySdk('test', {});
    expect(sdk.enabled).toBe(false);
    expect(injectTraceContext()).toEqual({});
  });

  it('exports spans over OTLP and carries the trace across a queue-style hand-off', async () => {
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', () => resolve()));
    const { port } = collector.address() as AddressInfo;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    const sdk = await startTelemetrySdk('telemetry-test');
    let linkedSpans = { parent: '', linkTrace: '', linkSpan: '' };
    try {
      expect(sdk.enabled).toBe(true);
      const tracer = getTracer('test');
      let producerTraceId = '';
      let carrier: Record<string, string> = {};
      await withSpan(tracer, 'collector.submit', {}, async (span) => {
        producerTraceId = span.spanContext().traceId;
        carrier = injectTraceContext();
      });
      expect(carrier.traceparent).toContain(producerTraceId);

      const consumerTraceId = await withTraceContext(carrier, () =>
        withSpan(tracer, 'aggregator.batch', {}, async () => trace.getActiveSpan()?.spanContext().traceId),
      );
      expect(consumerTraceId).toBe(producerTraceId);

      // An event judged from two ingests continues the first one's trace and links the second.
      const [first, second] = await Promise.all(
        ['first', 'second'].map((name) =>
          withSpan(tracer, `ingest.${name}`, {}, async () => injectTraceContext()),
        ),
      );
      const caused = await withSpanCausedBy(
        tracer,
        'aggregator.event',
        {},
        [first ?? {}, second ?? {}],
        async (span) => span.spanContext(),
      );
      const [, firstTrace, firstSpan] = String(first?.traceparent).split('-');
      const [, secondTrace, secondSpan] = String(second?.traceparent).split('-');
      expect(caused.traceId).toBe(firstTrace);
      linkedSpans = {
        parent: String(firstSpan),
        linkTrace: String(secondTrace),
        linkSpan: String(secondSpan),
      };
    } finally {
      await sdk.shutdown();
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
    }
    const traces = received.filter((request) => request.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    const body = Buffer.concat(traces.map((request) => request.body)).toString();
    expect(body).toContain('reachmap-telemetry-test');
    expect(body).toContain('aggregator.batch');
    const exported = traces.flatMap((request) =>
      (
        JSON.parse(request.body.toString()) as {
          resourceSpans: {
            scopeSpans: { spans: { name: string; parentSpanId?: string; links?: object[] }[] }[];
          }[];
        }
      ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((scope) => scope.spans)),
    );
    const event = exported.find((span) => span.name === 'aggregator.event');
    expect(event?.parentSpanId).toBe(linkedSpans.parent);
    expect(event?.links).toMatchObject([{ traceId: linkedSpans.linkTrace, spanId: linkedSpans.linkSpan }]);
  });
});
