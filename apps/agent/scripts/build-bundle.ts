import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { lazyBuiltinsPlugin } from './lazy-builtins-plugin.ts';
import { zodEnglishOnlyPlugin } from './zod-english-only-plugin.ts';

/**
 * One self-contained ESM file an operator copies next to Node 24: `node reachmap-agent.mjs`.
 * Whitespace and comments are stripped (names are kept, so stack traces stay readable): V8 holds the
 * whole source in memory for the process's life, and one non-ASCII character in a comment makes it a
 * two-byte string, twice the size.
 */
const outfile = join(import.meta.dirname, '..', 'dist', 'reachmap-agent.mjs');
const zodEnglishOnly = zodEnglishOnlyPlugin();

await build({
  entryPoints: [join(import.meta.dirname, '..', 'src', 'main.ts')],
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
  plugins: [lazyBuiltinsPlugin, zodEnglishOnly.plugin],
  logLevel: 'warning',
});
if (!zodEnglishOnly.applied()) {
  throw new Error('zod no longer imports ../locales/index.js: update scripts/zod-english-only-plugin.ts');
}
await chmod(outfile, 0o755);
process.stdout.write(`built ${outfile}\n`);
