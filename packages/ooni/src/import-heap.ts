/**
 * Node flags for a process that imports OONI archives: a 4 MiB young generation and a 96 MiB old one.
 * V8 otherwise lets the heap of a long streaming import grow to ~300 MiB of mostly dead parsed lines;
 * with these it stays under 150 MiB for a few percent more CPU (docs/benchmarks.md). The `reachmap`
 * launcher passes the same flags to `reachmap import`.
 */
export const OONI_IMPORT_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=4',
  '--max-old-space-size=96',
];
