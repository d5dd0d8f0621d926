import { randomBytes } from 'node:crypto';
import type { Logger } from '../runtime/agent-logger.ts';

/** One submission attempt as a trace span: its `traceparent` goes with the request. */
export interface SubmitSpan {
  traceparent: string;
  /** Ends the span with the collector's answer (0: none arrived). */
  end(status: number, measurements: number): void;
}

/**
 * Where the agent exports its own `agent.submit` span, from the standard variables
 * (https://opentelemetry.io/docs/specs/otel/protocol/exporter/); null when tracing is not asked for,
 * which is the default: the agent then only sends the `traceparent`.
 */
export function submitSpanExport(env: NodeJS.ProcessEnv = process.env): SpanExport | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' || env.OTEL_TRACES_EXPORTER === 'none')
    return null;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : '');
  if (url === '') return null;
  return {
    url,
    headers: env.OTEL_EXPORTER_OTLP_HEADERS ?? '',
    serviceName: env.OTEL_SERVICE_NAME || 'reachmap-agent',
  };
}

export interface SpanExport {
  url: string;
  /** `OTEL_EXPORTER_OTLP_HEADERS`: `key=value` pairs, comma-separated, values URL-encoded. */
  headers: string;
  serviceName: string;
}

/**
 * Starts the span of one submission: ids from `node:crypto` (W3C trace context, version 00, sampled),
 * so the collector's `collector.submit` continues the agent's trace. With an export configured, the
 * span is sent when it ends by a small OTLP/JSON exporter loaded on first use; the agent never loads
 * an OpenTelemetry SDK its idle memory budget cannot afford (docs/operators.md).
 */
export function startSubmitSpan(spanExport: SpanExport | null, logger: Logger): SubmitSpan {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const startNs = nowNs();
  return {
    traceparent: `00-${traceId}-${spanId}-01`,
    end(status, measurements) {
      if (spanExport === null) return;
      const span = { traceId, spanId, startNs, endNs: nowNs(), status, measurements };
      import('./otlp-span-export.ts')
        .then(({ exportSubmitSpan }) => exportSubmitSpan(spanExport, span))
        .catch((error: unknown) => logger.debug({ err: String(error) }, 'trace span not exported'));
    },
  };
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
