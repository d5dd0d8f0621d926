import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { SpanExport } from './submit-span.ts';

export interface FinishedSubmitSpan {
  traceId: string;
  spanId: string;
  startNs: bigint;
  endNs: bigint;
  /** The collector's HTTP status; 0 when no answer arrived. */
  status: number;
  measurements: number;
}

// OTLP enums (opentelemetry-proto trace.proto): SPAN_KIND_CLIENT, STATUS_CODE_UNSET / _ERROR.
const SPAN_KIND_CLIENT = 3;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;

/**
 * Sends one `agent.submit` span as an OTLP/HTTP JSON ExportTraceServiceRequest
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding: ids in hex, 64-bit integers as
 * strings). JSON whatever OTEL_EXPORTER_OTLP_PROTOCOL says: OTLP/HTTP receivers (the OpenTelemetry
 * Collector, Jaeger, Tempo) take both encodings, and JSON needs no protobuf code in the agent.
 */
export function exportSubmitSpan(target: SpanExport, span: FinishedSubmitSpan): Promise<void> {
  const body = Buffer.from(
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: target.serviceName } }] },
          scopeSpans: [
            {
              scope: { name: 'reachmap.agent' },
              spans: [
                {
                  traceId: span.traceId,
                  spanId: span.spanId,
                  name: 'agent.submit',
                  kind: SPAN_KIND_CLIENT,
                  startTimeUnixNano: String(span.startNs),
                  endTimeUnixNano: String(span.endNs),
                  attributes: [
                    { key: 'http.response.status_code', value: { intValue: String(span.status) } },
                    { key: 'reachmap.measurements', value: { intValue: String(span.measurements) } },
                  ],
                  status: { code: span.status >= 200 && span.status < 300 ? STATUS_UNSET : STATUS_ERROR },
                },
              ],
            },
          ],
        },
      ],
    }),
  );
  const url = new URL(target.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      url,
      {
        method: 'POST',
        headers: {
          ...parseHeaders(target.headers),
          'content-type': 'application/json',
          'content-length': body.length,
        },
        signal: AbortSignal.timeout(10_000),
      },
      (incoming) => {
        incoming.resume();
        incoming.on('end', () =>
          incoming.statusCode !== undefined && incoming.statusCode < 300
            ? resolve()
            : reject(new Error(`trace receiver answered ${incoming.statusCode}`)),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function parseHeaders(list: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of list.split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}
