import { HttpError } from '@reachmap/server-kit';
import { ingestBacklog } from '../submission/ingest-queue.ts';
import type { CollectorApp, RouteDeps } from './route-deps.ts';

const READINESS_TIMEOUT_MS = 2000;

function withinReadinessTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)),
        READINESS_TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

/** `/healthz`: the process answers. `/readyz`: Redis answers and the ingest queue can be read. */
export function registerHealthRoutes(app: CollectorApp, deps: RouteDeps): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200));

  app.get('/readyz', async (c) => {
    try {
      await withinReadinessTimeout(deps.redis.ping());
      const backlog = await withinReadinessTimeout(ingestBacklog(deps.queue));
      return c.json({ status: 'ready', ingest_backlog: backlog }, 200);
    } catch (error) {
      throw new HttpError(
        503,
        'not_ready',
        `Redis or the ingest queue is unavailable: ${(error as Error).message}`,
        {
          retryAfterS: 5,
        },
      );
    }
  });
}
