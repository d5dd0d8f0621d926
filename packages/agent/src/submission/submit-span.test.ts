import { describe, expect, it } from 'vitest';
import { createAgentLogger } from '../runtime/agent-logger.ts';
import { startSubmitSpan, submitSpanExport } from './submit-span.ts';

describe('the agent.submit span', () => {
  it('is exported only where the standard OTEL_* variables say', () => {
    expect(submitSpanExport({})).toBeNull();
    expect(submitSpanExport({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.internal:4318/' })).toEqual({
      url: 'http://otel.internal:4318/v1/traces',
      headers: '',
      serviceName: 'reachmap-agent',
    });
    expect(
      submitSpanExport({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.internal:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo.internal/otlp/v1/traces',
        OTEL_SERVICE_NAME: 'agent-ru-1',
      }),
    ).toMatchObject({ url: 'https://tempo.internal/otlp/v1/traces', serviceName: 'agent-ru-1' });
    expect(
      submitSpanExport({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.internal:4318',
        OTEL_SDK_DISABLED: 'true',
      }),
    ).toBeNull();
    expect(
      submitSpanExport({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel.internal:4318',
        OTEL_TRACES_EXPORTER: 'none',
      }),
    ).toBeNull();
  });

  it('gives every submission a fresh sampled W3C traceparent', () => {
    const logger = createAgentLogger('silent');
    const first = startSubmitSpan(null, logger).traceparent;
    const second = startSubmitSpan(null, logger).traceparent;
    expect(first).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(first.slice(3, 35)).not.toBe(second.slice(3, 35));
  });
});
