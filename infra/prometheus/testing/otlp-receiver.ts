import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
// The protobuf definitions of OTLP as the OpenTelemetry JS project generates them (protobufjs, from
// opentelemetry-proto), and its TypeScript shapes of the same messages: the receiver decodes what the
// exporters encode with the project's own definitions, not with a copy of ours.
import otlpRoot from '@opentelemetry/otlp-transformer/build/src/generated/root.js';
import type {
  IExportTraceServiceRequest,
  ISpan,
} from '@opentelemetry/otlp-transformer/build/src/trace/internal-types.js';

/** One span as the receiver saw it, ids in lowercase hex as W3C trace context writes them. */
export interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  links: { traceId: string; spanId: string }[];
}

interface ProtobufMessageType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: { longs: StringConstructor; bytes: StringConstructor }): unknown;
}

const ExportTraceServiceRequest = (
  otlpRoot as unknown as {
    opentelemetry: {
      proto: { collector: { trace: { v1: { ExportTraceServiceRequest: ProtobufMessageType } } } };
    };
  }
).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** Protobuf carries ids as bytes; OTLP/JSON as hex strings (the specification's one exception to base64). */
function hex(id: string | Uint8Array | undefined): string {
  if (id === undefined) return '';
  return typeof id === 'string' ? id.toLowerCase() : Buffer.from(id).toString('hex');
}

function decodeRequest(contentType: string, body: Buffer): IExportTraceServiceRequest {
  if (contentType.startsWith('application/x-protobuf'))
    return ExportTraceServiceRequest.decode(body) as IExportTraceServiceRequest;
  if (contentType.startsWith('application/json'))
    return JSON.parse(body.toString('utf8')) as IExportTraceServiceRequest;
  throw new Error(`unsupported content-type ${contentType}`);
}

function spansOf(request: IExportTraceServiceRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service =
      resourceSpans.resource?.attributes.find((attribute) => attribute.key === 'service.name')?.value
        .stringValue ?? '';
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span: ISpan) => ({
        service,
        name: span.name,
        traceId: hex(span.traceId),
        spanId: hex(span.spanId),
        parentSpanId: hex(span.parentSpanId),
        links: (span.links ?? []).map((link) => ({ traceId: hex(link.traceId), spanId: hex(link.spanId) })),
      })),
    );
  });
}

/**
 * A minimal OTLP/HTTP trace receiver on loopback (https://opentelemetry.io/docs/specs/otlp/#otlphttp):
 * POST /v1/traces with an ExportTraceServiceRequest in binary protobuf (`http/protobuf`, the exporters'
 * default) or JSON (`http/json`). A body it cannot decode is a 400, so an exporter's error shows.
 */
export async function startOtlpReceiver(): Promise<{
  url: string;
  spans: ReceivedSpan[];
  /** Requests per content type, to show which encoding arrived. */
  requests: Map<string, number>;
  close(): Promise<void>;
}> {
  const spans: ReceivedSpan[] = [];
  const requests = new Map<string, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const contentType = request.headers['content-type'] ?? '';
      try {
        spans.push(...spansOf(decodeRequest(contentType, Buffer.concat(chunks))));
      } catch (error) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
        return;
      }
      requests.set(contentType, (requests.get(contentType) ?? 0) + 1);
      // An empty ExportTraceServiceResponse: zero bytes in protobuf, `{}` in JSON.
      if (contentType.startsWith('application/json'))
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
