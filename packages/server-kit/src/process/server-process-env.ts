/**
 * Environment every server process runs with (collector, aggregator, API, reflector): under
 * `reachmap up`, in the bench, and in the systemd units (a test checks each unit carries it).
 *
 * `MALLOC_TRIM_THRESHOLD_=131072` is glibc's default value, but setting it stops glibc from raising
 * its trim and mmap thresholds once a large block is freed (mallopt(3)). Without it, after the first
 * freed request body or job payload of a megabyte, later ones land in the main heap, whose free space
 * goes back to the kernel only from its top: in a 1-hour soak the aggregator held 72 MiB in glibc's
 * arenas, 57 of them free (docs/benchmarks.md, "Server processes and their memory"). glibc only; other C
 * libraries ignore it.
 */
export const SERVER_PROCESS_ENV: Readonly<Record<string, string>> = {
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/**
 * Node flags every server process runs with, in the same places. Left alone, V8 grows a busy
 * process's young generation to 64 MiB semi-spaces (128 MiB committed; Node 24, 64-bit, no pointer
 * compression) and keeps it: in a 1-hour soak the collector's and the aggregator's new space stood at
 * 128 MiB each, and the collector's RSS rose 36 MiB in steps as it grew. With 16 MiB semi-spaces the
 * paired ingest bench kept its rate (median 5,176 against 5,253 measurements/s) and the peak RSS of
 * the collector and the aggregator fell by 80 and 92 MiB; 8 MiB cost 10 % of the rate
 * (docs/benchmarks.md, "Server processes and their memory").
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16'];
