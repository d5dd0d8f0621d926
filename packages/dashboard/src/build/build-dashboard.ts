import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { countriesTopologyJson } from './countries-topology.ts';
import { cachedRegionTopologies } from './regions-cache.ts';

const CLIENT_DIR = fileURLToPath(new URL('../client/', import.meta.url));

export interface BuiltAsset {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface BuiltDashboard {
  /** The page, the bundle and the world geometry. */
  assets: BuiltAsset[];
  /** One region topology per country (`regions-<hash>-<CC>.json`), fetched when a country is opened. */
  regions: BuiltAsset[];
}

function contentHash(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 10).toUpperCase();
}

/**
 * Writes an asset and, for the hashed ones under assets/, its gzip twin `<name>.gz`, which the server
 * sends to browsers that accept gzip (compressed once here at level 9, never per request).
 */
async function writeAsset(
  outDir: string,
  name: string,
  content: string | Uint8Array,
  precompress: boolean,
): Promise<BuiltAsset> {
  await writeFile(join(outDir, name), content);
  const gzipped = gzipSync(content, { level: 9 });
  if (precompress) await writeFile(join(outDir, `${name}.gz`), gzipped);
  const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  return { file: name, bytes, gzipBytes: gzipped.byteLength };
}

/**
 * Bundles the browser code with esbuild into `<outDir>/assets/` under content-hashed names (served as
 * immutable), the world's and every country's region geometry beside it, and writes `index.html`
 * (served as no-cache) pointing at them.
 */
export async function buildDashboard(outDir: string): Promise<BuiltDashboard> {
  const assetsDir = join(outDir, 'assets');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(assetsDir, { recursive: true });

  const bundle = await build({
    entryPoints: [join(CLIENT_DIR, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    outdir: assetsDir,
    entryNames: 'app-[hash]',
    legalComments: 'eof',
    logLevel: 'warning',
  });
  const assets: BuiltAsset[] = [];
  const byExtension = new Map<string, string>();
  for (const file of bundle.outputFiles) {
    const name = basename(file.path);
    byExtension.set(name.slice(name.lastIndexOf('.')), name);
    assets.push(await writeAsset(assetsDir, name, file.contents, true));
  }

  const topology = await countriesTopologyJson();
  const countriesName = `countries-${contentHash(topology)}.json`;
  assets.push(await writeAsset(assetsDir, countriesName, topology, true));

  // One hash over every country's file: the page then needs only a prefix to find any country.
  const regionTopologies = [...(await cachedRegionTopologies())].sort(([a], [b]) => a.localeCompare(b));
  const regionsPrefix = `regions-${contentHash(regionTopologies.flat().join('\n'))}-`;
  const regions: BuiltAsset[] = [];
  for (const [country, topology] of regionTopologies)
    regions.push(await writeAsset(assetsDir, `${regionsPrefix}${country}.json`, topology, true));

  const template = await readFile(join(CLIENT_DIR, 'index.html'), 'utf8');
  const html = template
    .replace('%APP_JS%', `/assets/${byExtension.get('.js')}`)
    .replace('%APP_CSS%', `/assets/${byExtension.get('.css')}`)
    .replace('%COUNTRIES_JSON%', `/assets/${countriesName}`)
    .replace('%REGIONS_PREFIX%', `/assets/${regionsPrefix}`);
  assets.push(await writeAsset(outDir, 'index.html', html, false));
  return { assets, regions };
}
