export { dashboardAssetsDir } from './server/assets-dir.ts';
export { createDashboardApp } from './server/dashboard-app.ts';
export { dashboardResponse } from './server/dashboard-response.ts';
export { serveDashboard } from './server/serve-dashboard.ts';
