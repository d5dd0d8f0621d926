import type { Env, Hono } from 'hono';
import { dashboardAssetsDir } from './assets-dir.ts';
import { dashboardResponse } from './dashboard-response.ts';

/**
 * Mounts the dashboard on a Hono app (or an OpenAPIHono): `GET /` and `GET /assets/*`. Unknown asset
 * names fall through to the app's own 404.
 */
export function serveDashboard<E extends Env>(app: Hono<E>, assetsDir = dashboardAssetsDir()): void {
  for (const path of ['/', '/index.html', '/assets/:name']) {
    app.get(path, async (c, next) => {
      const response = await dashboardResponse(c.req.raw, assetsDir);
      if (response === null) return next();
      return response;
    });
  }
}
