import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * One self-contained ESM file an operator copies next to Node 24: `node reachmap-agent.mjs`. The
 * banner gives bundled CommonJS dependencies (pino) the `require` they expect inside an ES module.
 */
const outfile = join(import.meta.dirname, '..', 'dist', 'reachmap-agent.mjs');

await build({
  entryPoints: [join(import.meta.dirname, '..', 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: false,
  sourcemap: false,
  legalComments: 'eof',
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __reachmapCreateRequire } from 'node:module';",
      'const require = __reachmapCreateRequire(import.meta.url);',
    ].join('\n'),
  },
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
process.stdout.write(`built ${outfile}\n`);
