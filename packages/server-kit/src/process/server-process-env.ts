/**
 * Environment every server process runs with (collector, aggregator, API, reflector): under
 * `reachmap up`, in the bench, and in the systemd units (a test checks each unit carries it).
 *
 * `MALLOC_TRIM_THRESHOLD_=131072` is glibc's default value, but setting it stops glibc from raising
 * its trim and mmap thresholds once a large block is freed (mallopt(3)). Without it, after the first
 * freed request body or job payload of a megabyte, later ones land in the main heap, whose free space
 * goes back to the kernel only from its top: in a 1-hour soak the aggregator held 72 MiB in glibc's
 * arenas, 57 of them free (docs/benchmarks.md, "Server processes and glibc"). glibc only; other C
 * libraries ignore it.
 */
export const SERVER_PROCESS_ENV: Readonly<Record<string, string>> = {
  MALLOC_TRIM_THRESHOLD_: '131072',
};
