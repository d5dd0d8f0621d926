import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type CeilingResult =
  | { kind: 'measured'; requestsPerSecond: Map<string, number>; command: string }
  | { kind: 'unavailable'; reason: string };

const TESTS = ['set', 'incr', 'lpush'] as const;
export const PIPELINE_DEPTH = 16;

/**
 * Redis's own limit on this machine: `redis-benchmark` (Debian package redis-tools) against the
 * bench's server, pipelined like the aggregator's Lua calls batch their writes.
 */
export async function runRedisBenchmark(port: number, requests: number): Promise<CeilingResult> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', TESTS.join(','), '-P', String(PIPELINE_DEPTH)];
  args.push('-n', String(requests), '-c', '50', '--csv');
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('redis-benchmark', args, { timeout: 120_000 }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      kind: 'unavailable',
      reason:
        code === 'ENOENT'
          ? 'redis-benchmark is not installed (apt-get install redis-tools)'
          : `redis-benchmark failed: ${(error as Error).message.split('\n')[0]}`,
    };
  }
  const requestsPerSecond = new Map<string, number>();
  // CSV rows: "test","rps","avg_latency_ms",…; the test name is e.g. "LPUSH" or "SET".
  for (const line of stdout.split('\n')) {
    const [test, rps] = line.split(',').map((cell) => cell.replaceAll('"', ''));
    if (test === undefined || rps === undefined || !Number.isFinite(Number(rps))) continue;
    requestsPerSecond.set(test.toLowerCase(), Number(rps));
  }
  if (requestsPerSecond.size === 0)
    return { kind: 'unavailable', reason: 'redis-benchmark printed no results' };
  return { kind: 'measured', requestsPerSecond, command: `redis-benchmark ${args.join(' ')}` };
}
