import { Hono } from 'hono';
import { dashboardAssetsDir } from './assets-dir.ts';
import { serveDashboard } from './serve-dashboard.ts';

/** The dashboard as a Hono app of its own, for the API's `dashboard` seam (`app.route('/', …)`). */
export function createDashboardApp(assetsDir = dashboardAssetsDir()): Hono {
  const app = new Hono();
  serveDashboard(app, assetsDir);
  return app;
}
