/**
 * Node flags for a process that imports OONI archives: a 4 MiB young generation and a 96 MiB old one.
 * V8 otherwise lets the heap of a long streaming import grow to ~300 MiB of mostly dead parsed lines;
 * with these the importer's peak stays near 150 MiB, for about 30 % more CPU in garbage collection
 * (4.65 → 6.2 CPU s on a 20 MB archive, docs/benchmarks.md). Most of the rest is code: loading the
 * importer from TypeScript sources costs ~117 MiB before the first line. The `reachmap` launcher
 * passes the same flags to `reachmap import`.
 */
export const OONI_IMPORT_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=4',
  '--max-old-space-size=96',
];
