import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * A refusal a server explains to its client: HTTP status, a stable machine-readable `code`
 * (docs/api.md and docs/api-agent.md list them), a message a person can act on, and optional details.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly details: unknown;
  /** Seconds the client should wait before trying again (429/503). */
  readonly retryAfterS: number | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: { details?: unknown; retryAfterS?: number } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.retryAfterS = options.retryAfterS;
  }
}
