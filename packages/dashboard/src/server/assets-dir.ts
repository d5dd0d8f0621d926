import { fileURLToPath } from 'node:url';

/** Absolute path of the built dashboard (`pnpm --filter @reachmap/dashboard build` writes it). */
export function dashboardAssetsDir(): string {
  return fileURLToPath(new URL('../../dist/', import.meta.url));
}
