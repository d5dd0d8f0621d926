import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import packageJson from '../package.json' with { type: 'json' };
import { lazyBuiltinsPlugin } from './lazy-builtins-plugin.ts';
import { zodEnglishOnlyPlugin } from './zod-english-only-plugin.ts';

const PACKAGE_DIR = join(import.meta.dirname, '..');
const INFRA_AGENT = join(PACKAGE_DIR, '..', '..', 'infra', 'agent');

/** What a collector serves to agent operators; it reads them from one directory (AGENT_DIST_DIR). */
export const AGENT_DIST_FILES = {
  bundle: 'reachmap-agent.mjs',
  /** `{ name, version }` of the bundle: the collector signs it without running the program. */
  program: 'reachmap-agent.json',
  unit: 'reachmap-agent.service',
  installer: 'install.sh',
} as const;

export const DEFAULT_DIST_DIR = join(PACKAGE_DIR, 'dist');

/**
 * One self-contained ESM file an operator copies next to Node 24: `node reachmap-agent.mjs`, with the
 * unit and the installer beside it. Whitespace and comments are stripped (names are kept, so stack
 * traces stay readable): V8 holds the whole source in memory for the process's life, and one
 * non-ASCII character in a comment makes it a two-byte string, twice the size. `version` stamps
 * another version than package.json's (tests build a "newer" agent to update to).
 */
export async function buildAgentBundle(
  options: { outDir?: string; version?: string } = {},
): Promise<{ outDir: string; bundle: string; version: string }> {
  const outDir = options.outDir ?? DEFAULT_DIST_DIR;
  const version = options.version ?? packageJson.version;
  const outfile = join(outDir, AGENT_DIST_FILES.bundle);
  const zodEnglishOnly = zodEnglishOnlyPlugin();
  await build({
    entryPoints: [join(PACKAGE_DIR, 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: false,
    legalComments: 'eof',
    banner: { js: '#!/usr/bin/env node' },
    define: { REACHMAP_AGENT_BUILD_VERSION: JSON.stringify(version) },
    plugins: [lazyBuiltinsPlugin, zodEnglishOnly.plugin],
    logLevel: 'warning',
  });
  if (!zodEnglishOnly.applied()) {
    throw new Error('zod no longer imports ../locales/index.js: update scripts/zod-english-only-plugin.ts');
  }
  await chmod(outfile, 0o755);
  await mkdir(outDir, { recursive: true });
  await writeFile(
    join(outDir, AGENT_DIST_FILES.program),
    `${JSON.stringify({ name: 'reachmap-agent', version })}\n`,
  );
  await copyFile(join(INFRA_AGENT, AGENT_DIST_FILES.unit), join(outDir, AGENT_DIST_FILES.unit));
  await copyFile(join(INFRA_AGENT, AGENT_DIST_FILES.installer), join(outDir, AGENT_DIST_FILES.installer));
  return { outDir, bundle: outfile, version };
}
