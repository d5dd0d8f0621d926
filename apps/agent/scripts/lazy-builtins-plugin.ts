import { builtinModules } from 'node:module';
import type { Plugin } from 'esbuild';

const BUILTIN = new RegExp(
  `^(node:)?(${builtinModules.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`,
);

/**
 * Node's own modules as `process.getBuiltinModule(...)` behind an object of getters, instead of ES
 * `import`s. An ES import of a builtin makes Node build its module namespace, which reads every
 * export, lazy getters included: `node:http` then loads undici and http2 for `http.WebSocket`
 * (≈12 MB resident, measured on Node 24.21), `node:crypto` loads WebCrypto. The getters matter too:
 * esbuild's interop copies a CommonJS module by reading each property's descriptor, and reading the
 * descriptors of `node:util` alone loads 42 more builtins (worker_threads, the assert diff, perf).
 * The names are listed at build time, so a builtin property is read only when the code reads it.
 */
export const lazyBuiltinsPlugin: Plugin = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: BUILTIN }, (args) => ({
      path: args.path.startsWith('node:') ? args.path : `node:${args.path}`,
      namespace: 'node-builtin',
    }));
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: lazyBuiltinModule(args.path),
      loader: 'js',
    }));
  },
};

function lazyBuiltinModule(specifier: string): string {
  const names = Object.getOwnPropertyNames(process.getBuiltinModule(specifier));
  return [
    `const builtin = process.getBuiltinModule(${JSON.stringify(specifier)});`,
    `for (const name of ${JSON.stringify(names)})`,
    '  Object.defineProperty(exports, name, { get: () => builtin[name], enumerable: true });',
  ].join('\n');
}
