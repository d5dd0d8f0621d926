import { dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * zod's `locales` namespace with English only. `z` is one namespace object, so esbuild cannot drop
 * the 40-odd error-message translations the agent never selects: 358 KB, half the bundle, that V8
 * parses at every start and keeps in memory (≈3 MB resident, measured on Node 24.21). English stays
 * zod's default, so error messages are unchanged. The build fails if zod moves the file, rather than
 * silently shipping the translations again.
 */
export function zodEnglishOnlyPlugin(): { plugin: Plugin; applied: () => boolean } {
  let applied = false;
  const plugin: Plugin = {
    name: 'zod-english-only',
    setup(build) {
      build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
        if (!/[/\\]zod[/\\]v4[/\\]/.test(args.importer)) return undefined;
        applied = true;
        return { path: join(dirname(args.importer), args.path), namespace: 'zod-english-only' };
      });
      build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
        resolveDir: dirname(args.path),
        loader: 'js',
      }));
    },
  };
  return { plugin, applied: () => applied };
}
