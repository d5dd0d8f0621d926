import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildDashboard } from '../build/build-dashboard.ts';
import { dashboardAssetsDir } from '../server/assets-dir.ts';

/** Before any test file: chromium is installed (when root) and dist/ holds a build of this source. */
export async function setup(): Promise<void> {
  execFileSync('sh', [fileURLToPath(new URL('../../scripts/ensure-chromium.sh', import.meta.url))], {
    stdio: 'inherit',
  });
  await buildDashboard(dashboardAssetsDir());
}
