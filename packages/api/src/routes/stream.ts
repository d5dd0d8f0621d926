import { createRoute, z } from '@hono/zod-openapi';
import { ScopeKey, TargetId } from '@reachmap/schema';
import { HttpError } from '@reachmap/server-kit';
import { streamSSE } from 'hono/streaming';
import { eventOfEntry, eventStreamKeys } from '../events/stream-entry.ts';
import { errorResponses, READ_ERRORS } from '../http/error-schema.ts';
import { currentPositions, formatCursor, parseCursor } from '../stream/stream-cursor.ts';
import type { ApiApp, RouteDeps } from './route-deps.ts';

type StreamEntry = [id: string, fields: string[]];

/** Registers GET /v1/stream; returns how many streams are open, for the metrics. */
export function registerStreamRoute(app: ApiApp, deps: RouteDeps): () => number {
  let open = 0;
  const keys = eventStreamKeys(deps.store.partitions);
  const route = createRoute({
    method: 'get',
    path: '/v1/stream',
    summary: 'Server-Sent Events of state transitions; resume with Last-Event-ID',
    middleware: [deps.requireRead] as const,
    request: {
      query: z.object({
        scope: ScopeKey.optional(),
        target: TargetId.optional(),
        /** `false` leaves out events decided from simulated (lab) agents. */
        simulated: z.enum(['true', 'false']).default('true'),
        /** Resume position, for clients that cannot set the Last-Event-ID header. */
        last_event_id: z.string().max(1000).optional(),
      }),
    },
    responses: {
      200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } },
      ...READ_ERRORS,
      ...errorResponses({ 503: 'Too many open streams' }),
    },
  });
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const cursor = parseCursor(c.req.header('last-event-id') ?? query.last_event_id, keys.length, deps.now());
    if (cursor.kind === 'invalid') throw new HttpError(400, 'invalid_last_event_id', cursor.reason);
    if (open >= deps.stream.maxStreams) {
      throw new HttpError(
        503,
        'too_many_streams',
        'the server has too many open event streams; retry later',
        {
          retryAfterS: 30,
        },
      );
    }
    open += 1;
    const connection = deps.stream.openConnection();
    return streamSSE(
      c,
      async (stream) => {
        let closed = false;
        stream.onAbort(() => {
          closed = true;
          connection.disconnect();
        });
        try {
          const positions =
            cursor.kind === 'positions' ? cursor.positions : await currentPositions(connection, keys);
          // Each partition's stream sits in its own cluster slot, so each is read on its own; the wait is shared.
          const blockMs = Math.max(10, Math.floor(deps.stream.heartbeatMs / keys.length));
          let lastWrite = Date.now();
          while (!closed) {
            for (const [index, key] of keys.entries()) {
              const reply = (await connection
                .xread('COUNT', 100, 'BLOCK', blockMs, 'STREAMS', key, positions[index] ?? '0-0')
                .catch(() => null)) as Array<[string, StreamEntry[]]> | null;
              if (closed) break;
              for (const [streamId, fields] of reply?.[0]?.[1] ?? []) {
                positions[index] = streamId;
                const event = eventOfEntry(fields);
                if (event === null) continue;
                if (query.scope !== undefined && event.scope !== query.scope) continue;
                if (query.target !== undefined && event.target !== query.target) continue;
                if (query.simulated === 'false' && event.simulated) continue;
                await stream.writeSSE({
                  id: formatCursor(positions),
                  event: event.type,
                  data: JSON.stringify(event),
                });
                lastWrite = Date.now();
              }
            }
            // A comment line every 15 s keeps proxies from closing an idle stream (WHATWG HTML, §9.2 "server-sent events").
            if (!closed && Date.now() - lastWrite >= deps.stream.heartbeatMs) {
              await stream.write(': heartbeat\n\n');
              lastWrite = Date.now();
            }
          }
        } finally {
          open -= 1;
          connection.disconnect();
        }
      },
      async (error) => {
        deps.logger.warn({ err: error }, 'event stream failed');
      },
    );
  });
  return () => open;
}
