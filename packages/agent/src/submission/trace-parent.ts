import { randomBytes } from 'node:crypto';

/**
 * A fresh W3C `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header) for one submission
 * attempt: version 00, a random trace id and span id, sampled. The collector's `collector.submit` span
 * continues it, so an operator with tracing finds the whole path of a batch under one trace id. The
 * agent makes the ids itself rather than load an OpenTelemetry SDK its idle memory cannot afford.
 */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
