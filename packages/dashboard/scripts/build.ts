import { buildDashboard } from '../src/build/build-dashboard.ts';
import { dashboardAssetsDir } from '../src/server/assets-dir.ts';

const assets = await buildDashboard(dashboardAssetsDir());
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
for (const asset of assets) {
  console.log(
    `${asset.file.padEnd(36)} ${kib(asset.bytes).padStart(10)}  gzip ${kib(asset.gzipBytes).padStart(9)}`,
  );
}
