// Prints the path of the bundled OONI commands (src/ooni-main.ts), building it first when it is
// missing or older than any file it was built from. The `reachmap` launcher runs `import` and
// `export` through it: loaded from TypeScript sources, the command line costs ~40 MiB more resident
// memory than the same code bundled, and an import must stay under 150 MiB (docs/benchmarks.md,
// "OONI import").
import { createHash } from 'node:crypto';
import { access, constants, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const APP_DIR = join(import.meta.dirname, '..');
const REPO_ROOT = join(APP_DIR, '..', '..');
const DEFAULT_OUT_DIR = join(APP_DIR, 'dist');
const BUNDLE = 'reachmap-ooni.mjs';
/** The files the bundle was built from (esbuild's metafile inputs), relative to the repository. */
const INPUTS = 'reachmap-ooni.inputs.json';

async function modifiedMs(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}

/** True when the bundle exists and no input changed since (an input gone also means rebuild). */
async function isFresh(outDir: string): Promise<boolean> {
  const builtMs = await modifiedMs(join(outDir, BUNDLE));
  if (builtMs === null) return false;
  let inputs: string[];
  try {
    inputs = JSON.parse(await readFile(join(outDir, INPUTS), 'utf8')) as string[];
  } catch {
    return false;
  }
  const times = await Promise.all(inputs.map((input) => modifiedMs(join(REPO_ROOT, input))));
  return times.every((time) => time !== null && time <= builtMs);
}

/** The bundle's path, built first when stale; `outDir` defaults to apps/cli/dist. */
export async function buildOoniBundle(outDir: string = DEFAULT_OUT_DIR): Promise<string> {
  const outfile = join(outDir, BUNDLE);
  if (await isFresh(outDir)) return outfile;
  const result = await build({
    entryPoints: [join(APP_DIR, 'src', 'ooni-main.ts')],
    outfile,
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: false,
    metafile: true,
    legalComments: 'eof',
    // CommonJS dependencies (ioredis, pino) call require() for Node's builtins; ESM has none.
    banner: {
      js: "import { createRequire as reachmapCreateRequire } from 'node:module'; const require = reachmapCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  await writeFile(join(outDir, INPUTS), `${JSON.stringify(Object.keys(result.metafile.inputs))}\n`);
  return outfile;
}

async function writable(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A per-user cache directory for this checkout's bundle: `$XDG_CACHE_HOME` (or ~/.cache)/reachmap/<checkout>. */
export function cacheOutDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const checkout = createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 16);
  return join(root, 'reachmap', `ooni-bundle-${checkout}`);
}

/**
 * The bundle the launcher runs: the checkout's own (`preferred`, apps/cli/dist) when it is fresh or
 * can be built there; otherwise, as in a read-only checkout (installed by root, run by a user), one
 * built in `fallback`, the user's cache. Only when neither can be written does it fail, saying where.
 */
export async function launcherBundle(
  preferred: string = DEFAULT_OUT_DIR,
  fallback: string = cacheOutDir(),
): Promise<string> {
  // A fresh bundle is used as it is: buildOoniBundle would check its inputs a second time.
  if (await isFresh(preferred)) return join(preferred, BUNDLE);
  if (await writable(preferred)) return await buildOoniBundle(preferred);
  if (await writable(fallback)) return await buildOoniBundle(fallback);
  throw new Error(
    `cannot build the OONI commands' bundle: neither ${preferred} nor ${fallback} is writable (set XDG_CACHE_HOME to a writable directory)`,
  );
}

if (import.meta.main) {
  try {
    process.stdout.write(`${await launcherBundle()}\n`);
  } catch (error) {
    process.stderr.write(`reachmap: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
