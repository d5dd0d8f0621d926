import { buildDashboard } from '../src/build/build-dashboard.ts';
import { dashboardAssetsDir } from '../src/server/assets-dir.ts';

const { assets, regions } = await buildDashboard(dashboardAssetsDir());
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const line = (file: string, bytes: number, gzipBytes: number) =>
  console.log(`${file.padEnd(36)} ${kib(bytes).padStart(10)}  gzip ${kib(gzipBytes).padStart(9)}`);
for (const asset of assets) line(asset.file, asset.bytes, asset.gzipBytes);
const largest = regions.reduce((top, asset) => (asset.gzipBytes > top.gzipBytes ? asset : top));
line(`regions: ${regions.length} countries`, sumOf('bytes'), sumOf('gzipBytes'));
line(`  largest ${largest.file.slice(-7, -5)}`, largest.bytes, largest.gzipBytes);

function sumOf(field: 'bytes' | 'gzipBytes'): number {
  return regions.reduce((sum, asset) => sum + asset[field], 0);
}
