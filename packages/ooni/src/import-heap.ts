/**
 * Node flags for a process that imports OONI archives: a 4 MiB young generation and a 64 MiB old one.
 * V8 otherwise lets the heap of a long streaming import grow to ~300 MiB of mostly dead parsed lines.
 * A streaming import keeps ~20 MiB alive in the old generation (sampled over a 1 GB archive), so 64
 * MiB leaves room for the largest record read (`MAX_RECORD_CHARS`); against 96 MiB it peaked 3 MiB
 * lower on a 200 MB archive and 6 MiB lower on 1 GB, CPU within the machine's noise
 * (docs/benchmarks.md). The `reachmap` launcher passes the same flags to `reachmap import`.
 */
export const OONI_IMPORT_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=4',
  '--max-old-space-size=64',
];

/**
 * Environment for the same process: one glibc malloc arena. gunzip runs on libuv's pool threads, and
 * glibc gives each thread that allocates an arena of its own, whose freed pages stay resident; with
 * one arena a 200 MB import peaked 11-14 MiB lower for no more CPU (docs/benchmarks.md). The launcher
 * exports the same for `reachmap import`.
 */
export const OONI_IMPORT_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };
