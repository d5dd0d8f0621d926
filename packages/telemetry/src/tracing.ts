import {
  type Attributes,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';

export type { Span, Tracer };

export function getTracer(component: string): Tracer {
  return trace.getTracer(`reachmap.${component}`);
}

/** Runs `work` inside a span that records failures; the span ends whatever happens. */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return await tracer.startActiveSpan(name, { attributes }, (span) => endingSpan(span, work));
}

/** Runs `work` with its span, records a failure on it and ends it whatever happens. */
async function endingSpan<T>(span: Span, work: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await work(span);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * The active trace context as a W3C `traceparent`/`tracestate` carrier, to put inside a queue job so
 * the consumer's spans join the producer's trace. Empty when no SDK is configured.
 */
export function injectTraceContext(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** Runs `work` with the trace context carried by a queue job as the active context. */
export function withTraceContext<T>(carrier: Record<string, string> | undefined, work: () => T): T {
  if (carrier === undefined) return work();
  return context.with(propagation.extract(context.active(), carrier), work);
}

/** The W3C trace context headers of an incoming request, as a carrier for `withTraceContext`. */
export function traceContextOfHeaders(headers: Headers): Record<string, string> {
  const carrier: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) {
    const value = headers.get(name);
    if (value !== null) carrier[name] = value;
  }
  return carrier;
}

/**
 * Runs `work` in a span caused by several earlier ones (an event judged from many measurements): the
 * first carrier becomes its parent, so the newest cause's trace continues, and the others become
 * span links. Without carriers the span starts its own trace.
 */
export async function withSpanCausedBy<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  carriers: readonly Record<string, string>[],
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const [parent, ...others] = carriers;
  const links: Link[] = [];
  for (const carrier of others) {
    const linked = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
    if (linked !== undefined) links.push({ context: linked });
  }
  const parentContext = parent === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, parent);
  return await context.with(parentContext, () =>
    tracer.startActiveSpan(name, { attributes, links }, (span) => endingSpan(span, work)),
  );
}
