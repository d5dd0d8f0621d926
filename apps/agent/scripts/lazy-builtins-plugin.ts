import { builtinModules } from 'node:module';
import type { Plugin } from 'esbuild';

const BUILTIN = new RegExp(
  `^(node:)?(${builtinModules.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`,
);

/**
 * Node's own modules as `process.getBuiltinModule(...)` instead of ES `import`s. An ES import of a
 * builtin makes Node build its module namespace, which reads every export, lazy getters included:
 * `node:http` then loads undici and http2 for `http.WebSocket` (≈12 MB resident, measured on Node
 * 24.21), `node:crypto` loads WebCrypto. The CommonJS object reads an export only when the code does.
 */
export const lazyBuiltinsPlugin: Plugin = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: BUILTIN }, (args) => ({
      path: args.path.startsWith('node:') ? args.path : `node:${args.path}`,
      namespace: 'node-builtin',
    }));
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};
